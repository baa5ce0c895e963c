package unit

// Assignments are the assignments of key in section that apply, with the
// file each was written in: Values' list semantics (an empty assignment
// resets the list), for callers that say where a value came from.
func (f *File) Assignments(section, key string) []Option { return f.entries(section, key) }
