package external

import "testing"

func TestAddressString(t *testing.T) {
	for a, want := range map[Address]string{
		{Host: "203.0.113.10", Port: 3000}: "203.0.113.10:3000",
		{Port: 30000}:                      ":30000",
	} {
		if got := a.String(); got != want {
			t.Errorf("%+v: got %q, want %q", a, got, want)
		}
	}
}
