package xr

import (
	"strconv"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
)

// Seconds returns d in seconds. Aerospike's own suffixes are accepted: s, m,
// h and d.
func Seconds(d v1alpha1.Duration) (int64, error) {
	s := string(d)
	if s == "" {
		return 0, nil
	}
	mult := int64(1)
	switch s[len(s)-1] {
	case 's':
		s = s[:len(s)-1]
	case 'm':
		mult, s = 60, s[:len(s)-1]
	case 'h':
		mult, s = 3600, s[:len(s)-1]
	case 'd':
		mult, s = 86400, s[:len(s)-1]
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, errors.Errorf("%q is not a duration: use whole seconds or a number with the suffix s, m, h or d, such as 30d", string(d))
	}
	return int64(n) * mult, nil
}
