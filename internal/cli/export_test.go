package cli

// ObservePlans makes every command hand the IDs of the plan it prepares
// to f until the returned function is called. Not for parallel tests.
func ObservePlans(f func(ids []string)) (restore func()) {
	planObserver = f
	return func() { planObserver = nil }
}
