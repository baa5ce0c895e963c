package profile

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// EnvRef is an environment variable a profile names: the value of a key
// ending in _env (mysql dsn_env and password_env, etcd password_env, and
// any later family's), which a check reads from golive's environment.
type EnvRef struct {
	Key  string // where: section and key path, e.g. mysql.dsn_env
	Name string // the variable
}

// EnvRefs lists the environment variables the resolved profile's sections
// name, in section order, each once. Found by the key's suffix, so a new
// family's secret variable needs no list kept here.
func (p *Profile) EnvRefs() []EnvRef {
	var refs []EnvRef
	seen := map[string]bool{}
	var walk func(path string, n *yaml.Node)
	walk = func(path string, n *yaml.Node) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				key := path + "." + k.Value
				if strings.HasSuffix(k.Value, "_env") && v.Kind == yaml.ScalarNode && v.Value != "" {
					if !seen[v.Value] {
						seen[v.Value] = true
						refs = append(refs, EnvRef{Key: key, Name: v.Value})
					}
					continue
				}
				walk(key, v)
			}
		case yaml.SequenceNode, yaml.DocumentNode:
			for _, c := range n.Content {
				walk(path, c)
			}
		case yaml.AliasNode:
			if n.Alias != nil {
				walk(path, n.Alias)
			}
		}
	}
	for _, s := range p.Sections {
		if s.Node != nil {
			walk(s.Kind, s.Node)
		}
	}
	return refs
}
