package access

import (
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
)

// PredefinedRoles are the roles every Enterprise Edition cluster has.
var PredefinedRoles = map[string]bool{
	"read": true, "read-write": true, "read-write-udf": true, "write": true, "truncate": true,
	"sindex-admin": true, "udf-admin": true, "data-admin": true, "user-admin": true, "sys-admin": true,
	"superuser": true,
}

// globalOnly privileges apply to the whole cluster; Aerospike refuses them
// scoped to a namespace or set.
var globalOnly = map[v1alpha1.PrivilegeCode]bool{
	v1alpha1.PrivilegeDataAdmin: true, v1alpha1.PrivilegeUserAdmin: true, v1alpha1.PrivilegeSysAdmin: true,
	v1alpha1.PrivilegeUDFAdmin: true, v1alpha1.PrivilegeSIndexAdmin: true,
}

var privilegeCodes = map[v1alpha1.PrivilegeCode]bool{
	v1alpha1.PrivilegeRead: true, v1alpha1.PrivilegeReadWrite: true, v1alpha1.PrivilegeReadWriteUDF: true,
	v1alpha1.PrivilegeWrite: true, v1alpha1.PrivilegeTruncate: true, v1alpha1.PrivilegeSIndexAdmin: true,
	v1alpha1.PrivilegeUDFAdmin: true, v1alpha1.PrivilegeDataAdmin: true, v1alpha1.PrivilegeUserAdmin: true,
	v1alpha1.PrivilegeSysAdmin: true,
}

// Validate checks spec.accessControl (at p) of an Enterprise Edition spec:
// the admin Secret, every role and its privileges, every user and the roles
// it is granted, and the application user.
func Validate(s *v1alpha1.AerospikeDatabaseSpec, p *field.Path) field.ErrorList {
	ac := s.AccessControl
	if ac == nil {
		return nil
	}
	var errs field.ErrorList
	if ac.AdminSecretRef.Name == "" {
		errs = append(errs, field.Required(p.Child("adminSecretRef", "name"), "name the Secret holding the user name and password the provider manages users and roles with (a new cluster's only user is admin, password admin)"))
	}
	nss := map[string]bool{}
	for _, ns := range s.Namespaces {
		nss[ns.Name] = true
	}
	roles := map[string]bool{}
	for i, r := range ac.Roles {
		errs = append(errs, role(r, roles, nss, p.Child("roles").Index(i))...)
		roles[r.Name] = true
	}
	users := map[string]bool{}
	for i, u := range ac.Users {
		errs = append(errs, user(u, users, roles, p.Child("users").Index(i))...)
		users[u.Name] = true
	}
	if ac.ApplicationUser != "" && !users[ac.ApplicationUser] {
		errs = append(errs, field.Invalid(p.Child("applicationUser"), ac.ApplicationUser, "must name one of spec.accessControl.users"))
	}
	return errs
}

// role checks a declared role (at rp) against the roles declared before it
// and the spec's namespaces.
func role(r v1alpha1.Role, declared, nss map[string]bool, rp *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch {
	case r.Name == "":
		errs = append(errs, field.Required(rp.Child("name"), "name the role"))
	case PredefinedRoles[r.Name]:
		errs = append(errs, field.Invalid(rp.Child("name"), r.Name, "is a predefined Aerospike role; grant it to users directly or choose another name"))
	case declared[r.Name]:
		errs = append(errs, field.Duplicate(rp.Child("name"), r.Name))
	}
	if len(r.Privileges) == 0 {
		errs = append(errs, field.Required(rp.Child("privileges"), "a role grants at least one privilege"))
	}
	for j, pr := range r.Privileges {
		errs = append(errs, privilege(pr, nss, rp.Child("privileges").Index(j))...)
	}
	return errs
}

// privilege checks one privilege (at pp): its code, and the scope the code
// allows.
func privilege(pr v1alpha1.Privilege, nss map[string]bool, pp *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch {
	case !privilegeCodes[pr.Code]:
		errs = append(errs, field.NotSupported(pp.Child("code"), pr.Code, sortedCodes()))
	case globalOnly[pr.Code] && (pr.Namespace != "" || pr.Set != ""):
		errs = append(errs, field.Invalid(pp, pr.Code, "applies to the whole cluster and cannot be scoped; remove namespace and set"))
	}
	if pr.Namespace != "" && !nss[pr.Namespace] {
		errs = append(errs, field.Invalid(pp.Child("namespace"), pr.Namespace, "no such namespace: declare it in spec.namespaces"))
	}
	if pr.Set != "" && pr.Namespace == "" {
		errs = append(errs, field.Required(pp.Child("namespace"), "a privilege scoped to a set also needs its namespace"))
	}
	return errs
}

// user checks a declared user (at up) against the users declared before it
// and the declared roles.
func user(u v1alpha1.User, declared, roles map[string]bool, up *field.Path) field.ErrorList {
	var errs field.ErrorList
	if u.Name == "" {
		errs = append(errs, field.Required(up.Child("name"), "name the user"))
	} else if declared[u.Name] {
		errs = append(errs, field.Duplicate(up.Child("name"), u.Name))
	}
	for j, r := range u.Roles {
		if !roles[r] && !PredefinedRoles[r] {
			errs = append(errs, field.Invalid(up.Child("roles").Index(j), r, "no such role: declare it in spec.accessControl.roles or use a predefined role"))
		}
	}
	if u.PasswordSecretRef.Name == "" {
		errs = append(errs, field.Required(up.Child("passwordSecretRef", "name"), "name the Secret that holds the user's password"))
	}
	return errs
}

func sortedCodes() []string {
	codes := slices.Sorted(maps.Keys(privilegeCodes))
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = string(c)
	}
	return out
}
