package securityserver

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// A version is a four-part server build, compared numerically.
type version [4]int

var versionRE = regexp.MustCompile(`^v?(\d+)(\.\d+)?(\.\d+)?(\.\d+)?`)

// parseVersion accepts what the client's version parser does: one to four
// dot-separated numbers, optionally prefixed by "v" and followed by a suffix.
func parseVersion(s string) (version, error) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return version{}, errors.Errorf("cannot parse build %q: want a version such as 8.1.2.0", s)
	}
	var v version
	for i, part := range m[1:] {
		if part == "" {
			break
		}
		n, err := strconv.Atoi(strings.TrimPrefix(part, "."))
		if err != nil {
			return version{}, errors.Wrapf(err, "cannot parse build %q", s)
		}
		v[i] = n
	}
	return v, nil
}

func (v version) atLeast(o version) bool {
	for i := range v {
		if v[i] != o[i] {
			return v[i] > o[i]
		}
	}
	return true
}
