// Package check holds the one result every validation of the function
// returns: the errors that stop composition, each naming its field and the
// fix, and the warnings worth telling the user while composing goes on.
package check

import "k8s.io/apimachinery/pkg/util/validation/field"

// Result of a validation.
type Result struct {
	// Errors make the spec unusable: nothing may be composed.
	Errors field.ErrorList

	// Warnings are worth telling the user but safe to compose, each
	// starting with the field it is about.
	Warnings []string
}

// Errors returns a result of errs alone.
func Errors(errs ...*field.Error) Result { return Result{Errors: errs} }

// Warning returns a result of one warning.
func Warning(w string) Result { return Result{Warnings: []string{w}} }

// Add appends o's errors and warnings to r's.
func (r *Result) Add(o Result) {
	r.Errors = append(r.Errors, o.Errors...)
	r.Warnings = append(r.Warnings, o.Warnings...)
}

// Failed reports whether r holds an error.
func (r Result) Failed() bool { return len(r.Errors) > 0 }
