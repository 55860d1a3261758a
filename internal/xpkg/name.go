package xpkg

import (
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// FunctionName returns the name Crossplane gives the function package
// pushed to registry when it installs it as a Configuration's dependency,
// and `crossplane xpkg install` gives it by default: the repository path
// (without the registry host) as a DNS label, xp-aerospike-function-aerospike
// for xpkg.crossplane.io/xp-aerospike. The Compositions must call the
// function by that name, or a platform team that installs only the
// Configuration gets a Composition whose function is missing.
func FunctionName(registry string) string {
	repo, err := name.NewRepository(registry+"/"+FunctionPackage, name.StrictValidation)
	if err != nil {
		return FunctionPackage
	}
	return dnsLabel(repo.RepositoryStr())
}

// dnsLabel is crossplane-runtime's xpkg.ToDNSLabel, which core names
// dependencies with; that package is not imported for one function
// because it brings in every cloud's registry credential helper.
func dnsLabel(s string) string {
	var cut strings.Builder
	for i := range s {
		b := s[i]
		if ('a' <= b && b <= 'z') || ('0' <= b && b <= '9') {
			cut.WriteByte(b)
		}
		if (b == '.' || b == '/' || b == ':' || b == '-') && (i != 0 && i != 62 && i != len(s)-1) {
			cut.WriteByte('-')
		}
		if i == 62 {
			break
		}
	}
	return strings.Trim(cut.String(), "-")
}
