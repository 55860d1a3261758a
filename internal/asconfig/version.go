package asconfig

import (
	"strconv"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Version is an Aerospike server version such as 8.1.2.0. Releases have four
// numbers; a three-number version (8.1.0) is the first release of its line
// and reads as 8.1.0.0.
type Version [4]int

// ParseVersion parses a server version such as 8.1.2.0, 8.1.0 or 7.2.0.6_1.
// The _1 of a container image tag is a packaging revision: it does not change
// the server, so it is accepted and ignored.
func ParseVersion(s string) (Version, error) {
	var v Version
	base, build, hasBuild := strings.Cut(s, "_")
	if hasBuild && !digits(build) {
		return Version{}, errors.Errorf("cannot parse server version %q: want numbers such as 8.1.2.0, optionally with a build suffix such as _1", s)
	}
	parts := strings.Split(base, ".")
	if len(parts) < 3 || len(parts) > 4 {
		return Version{}, errors.Errorf("cannot parse server version %q: want three or four numbers such as 8.1.2.0", s)
	}
	for i, p := range parts {
		if !digits(p) {
			return Version{}, errors.Errorf("cannot parse server version %q: %q is not a number", s, p)
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return Version{}, errors.Wrapf(err, "cannot parse server version %q", s)
		}
		v[i] = n
	}
	return v, nil
}

// digits reports whether s is a non-empty run of ASCII digits: strconv.Atoi
// alone would accept signs.
func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Compare returns -1, 0 or +1 as v is older than, the same as, or newer than
// o, so versions sort with slices.SortFunc(vs, Version.Compare).
func (v Version) Compare(o Version) int {
	for i := range v {
		switch {
		case v[i] < o[i]:
			return -1
		case v[i] > o[i]:
			return 1
		}
	}
	return 0
}

// String returns v with all four numbers, as the server reports its build.
func (v Version) String() string {
	return strconv.Itoa(v[0]) + "." + strconv.Itoa(v[1]) + "." + strconv.Itoa(v[2]) + "." + strconv.Itoa(v[3])
}

// line returns v as a schema file names its version line: 8.1.1.
func (v Version) line() string {
	return strconv.Itoa(v[0]) + "." + strconv.Itoa(v[1]) + "." + strconv.Itoa(v[2])
}
