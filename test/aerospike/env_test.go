package aerospike

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fakeASD writes an executable shell script standing in for asd, which
// prints out for --version and exits with code.
func fakeASD(t *testing.T, dir, name, out string, code int) string {
	t.Helper()
	p := filepath.Join(dir, name)
	script := fmt.Sprintf("#!/bin/sh\necho '%s'\nexit %d\n", out, code)
	if err := os.WriteFile(p, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadEnv(t *testing.T) {
	dir := t.TempDir()
	asd := fakeASD(t, dir, "asd", "Aerospike Community Edition build 9.1.0.3", 0)
	silent := fakeASD(t, dir, "silent", "", 1)
	chatty := fakeASD(t, dir, "chatty", "hello", 0)

	shared := filepath.Join(dir, "shared")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	v81 := fakeASD(t, shared, "asd-ce-8.1.2.0", "", 0)
	v80 := fakeASD(t, shared, "asd-ce-8.0.0.15", "", 0)
	fakeASD(t, shared, "asd-ce-latest", "", 0)
	fakeASD(t, shared, "README.md", "", 0)
	if err := os.WriteFile(filepath.Join(shared, "asd-ce-7.0.0.0"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o700); err != nil {
		t.Fatal(err)
	}

	cases := map[string]struct {
		reason  string
		env     map[string]string
		shared  string
		want    Env
		wantWhy string
	}{
		"ExplicitBinary": {
			reason: "AEROSPIKE_ASD wins over the shared binaries; its version comes from --version.",
			env:    map[string]string{EnvASD: asd},
			shared: shared,
			want:   Env{Binaries: []Binary{{Path: asd, Version: "9.1.0.3"}}},
		},
		"ExplicitVersion": {
			reason: "AEROSPIKE_VERSION spares a binary that cannot answer --version.",
			env:    map[string]string{EnvASD: silent, EnvVersion: "9.2.0.0"},
			want:   Env{Binaries: []Binary{{Path: silent, Version: "9.2.0.0"}}},
		},
		"ExplicitMissing": {
			reason:  "A wrong AEROSPIKE_ASD leaves no binary, and says so, rather than falling back.",
			env:     map[string]string{EnvASD: "/nonexistent/asd"},
			shared:  shared,
			want:    Env{},
			wantWhy: `AEROSPIKE_ASD="/nonexistent/asd" is not an executable`,
		},
		"ExplicitUnparseable": {
			reason:  "Output without a version asks for AEROSPIKE_VERSION.",
			env:     map[string]string{EnvASD: chatty},
			want:    Env{},
			wantWhy: "set AEROSPIKE_VERSION",
		},
		"ExplicitBadVersion": {
			reason:  "AEROSPIKE_VERSION must be a version.",
			env:     map[string]string{EnvASD: asd, EnvVersion: "latest"},
			want:    Env{},
			wantWhy: `AEROSPIKE_VERSION="latest" is not a version`,
		},
		"Shared": {
			reason: "Executables named asd-ce-<version> count, oldest first; other files do not.",
			env:    map[string]string{},
			shared: shared,
			want:   Env{Binaries: []Binary{{Path: v80, Version: "8.0.0.15"}, {Path: v81, Version: "8.1.2.0"}}},
		},
		"SharedEmpty": {
			reason:  "An empty shared folder says where the harness looked.",
			env:     map[string]string{},
			shared:  empty,
			want:    Env{},
			wantWhy: empty + " holds no executable asd-ce-<version>",
		},
		"NoRoot": {
			reason:  "Without a repository root there is no shared folder to look in.",
			env:     map[string]string{},
			want:    Env{},
			wantWhy: "repository root",
		},
		"AddressAndCI": {
			reason: "AEROSPIKE_ADDRESS and CI=true are read as they are.",
			env:    map[string]string{EnvAddress: " 127.0.0.1:3000 ", EnvCI: "true"},
			shared: empty,
			want:   Env{Address: "127.0.0.1:3000", CI: true},
		},
		"CIOnlyTrue": {
			reason: "CI counts only as CI=true, as GitHub Actions and the rest of the project set it.",
			env:    map[string]string{EnvCI: "1"},
			shared: empty,
			want:   Env{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := loadEnv(func(k string) string { return tc.env[k] }, tc.shared)
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(Env{}, "Why")); diff != "" {
				t.Errorf("%s\nloadEnv(): -want, +got:\n%s", tc.reason, diff)
			}
			if !strings.Contains(got.Why, tc.wantWhy) {
				t.Errorf("%s\nloadEnv().Why = %q, want it to contain %q", tc.reason, got.Why, tc.wantWhy)
			}
		})
	}
}

func TestEnvBinary(t *testing.T) {
	e := Env{Binaries: []Binary{
		{Path: "a", Version: "8.0.0.15"},
		{Path: "b", Version: "8.1.0.0"},
		{Path: "c", Version: "8.1.2.0"},
		{Path: "d", Version: "8.1.2.7"},
	}}
	cases := map[string]struct {
		reason  string
		env     Env
		version string
		want    string
		wantErr string
	}{
		"Newest":       {reason: "No version means the newest.", env: e, version: "", want: "d"},
		"Exact":        {reason: "An exact build wins.", env: e, version: "8.1.2.0", want: "c"},
		"Revision":     {reason: "An image revision is the same build.", env: e, version: "8.1.2.0_1", want: "c"},
		"ClosestBuild": {reason: "The closest build of the same patch release is closer than another patch release.", env: e, version: "8.1.2.5", want: "d"},
		"TieNewer":     {reason: "Between equally close builds the newer wins.", env: e, version: "8.1.1.0", want: "c"},
		"Line":         {reason: "A major.minor line means its newest build.", env: e, version: "8.1", want: "d"},
		"OtherBuild":   {reason: "Any build of the line stands in for a missing one.", env: e, version: "8.0.0.1", want: "a"},
		"OtherLine":    {reason: "Another minor line never stands in.", env: e, version: "7.2.0.0", wantErr: "cannot find an asd binary of version 7.2.0.0 or of its 7.2 line; available: 8.0.0.15, 8.1.0.0, 8.1.2.0, 8.1.2.7"},
		"Unparseable":  {reason: "A version must be numbers.", env: e, version: "latest", wantErr: `cannot parse Aerospike version "latest"`},
		"None":         {reason: "No binary at all says why.", env: Env{Why: "nothing here"}, version: "8.1", wantErr: "cannot find an asd binary: nothing here"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := tc.env.Binary(tc.version)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tc.wantErr {
				t.Errorf("%s\nBinary(%q) error = %q, want %q", tc.reason, tc.version, gotErr, tc.wantErr)
			}
			if got.Path != tc.want {
				t.Errorf("%s\nBinary(%q) = %q, want %q", tc.reason, tc.version, got.Path, tc.want)
			}
		})
	}
}

// recorder is a testing.TB that records Skipf and Fatalf instead of ending
// the test, so the skip-or-fail rule can be tested both ways.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Skipf(f string, args ...any)  { r.skipped = fmt.Sprintf(f, args...) }
func (r *recorder) Fatalf(f string, args ...any) { r.failed = fmt.Sprintf(f, args...) }

func TestUnavailable(t *testing.T) {
	cases := map[string]struct {
		reason      string
		env         Env
		wantSkipped bool
		wantFailed  bool
		wantIn      []string
	}{
		"Developer": {
			reason:      "Without CI a missing server skips, saying how to enable the tests.",
			env:         Env{Why: "AEROSPIKE_ASD is not set"},
			wantSkipped: true,
			wantIn:      []string{"no asd binary to start: AEROSPIKE_ASD is not set.", EnvASD, EnvAddress, "../shared/aerospike", "docker run"},
		},
		"CI": {
			reason:     "Under CI=true a missing server fails: the suite must not go green by skipping.",
			env:        Env{Why: "AEROSPIKE_ASD is not set", CI: true},
			wantFailed: true,
			wantIn:     []string{"no asd binary to start", EnvASD, "CI=true: a real-server test that cannot run fails"},
		},
		"AddressOnly": {
			reason:      "A running server cannot stand in for nodes the test starts itself.",
			env:         Env{Why: "AEROSPIKE_ASD is not set", Address: "127.0.0.1:3000"},
			wantSkipped: true,
			wantIn:      []string{"starts, stops or kills its own nodes", "AEROSPIKE_ADDRESS=127.0.0.1:3000"},
		},
		"AddressOnlyCI": {
			reason:     "Under CI=true that fails too.",
			env:        Env{Why: "AEROSPIKE_ASD is not set", Address: "127.0.0.1:3000", CI: true},
			wantFailed: true,
			wantIn:     []string{"starts, stops or kills its own nodes"},
		},
		"WrongLine": {
			reason:      "A binary of another version line skips a test that needs this one.",
			env:         Env{Binaries: []Binary{{Path: "a", Version: "8.1.2.0"}}},
			wantSkipped: true,
			wantIn:      []string{"cannot find an asd binary of version 8.0"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := &recorder{}
			b := tc.env.requireBinary(r, "8.0")
			if b != (Binary{}) {
				t.Errorf("%s\nrequireBinary() = %v, want none", tc.reason, b)
			}
			if (r.skipped != "") != tc.wantSkipped || (r.failed != "") != tc.wantFailed {
				t.Fatalf("%s\nskipped %q, failed %q; want skipped %t, failed %t", tc.reason, r.skipped, r.failed, tc.wantSkipped, tc.wantFailed)
			}
			msg := r.skipped + r.failed
			for _, s := range tc.wantIn {
				if !strings.Contains(msg, s) {
					t.Errorf("%s\nmessage %q does not contain %q", tc.reason, msg, s)
				}
			}
		})
	}
}

func TestVersionFromOutput(t *testing.T) {
	cases := map[string]struct {
		out    string
		want   string
		wantOK bool
	}{
		"Community":  {out: "Aerospike Community Edition build 8.1.2.0\n", want: "8.1.2.0", wantOK: true},
		"Enterprise": {out: "Aerospike Enterprise Edition build 7.2.0.1", want: "7.2.0.1", wantOK: true},
		"Nothing":    {out: "usage: asd", wantOK: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := versionFromOutput(tc.out)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("versionFromOutput(%q) = %q, %t; want %q, %t", tc.out, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
