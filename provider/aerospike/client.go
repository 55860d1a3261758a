package aerospike

import (
	"encoding/base64"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// A Client is a connection to one cluster, safe for concurrent use.
type Client struct {
	// broken is set when a command timed out: the client keeps the
	// connection, and a late reply would be read as the next command's
	// answer, so the Pool replaces a broken client.
	broken atomic.Bool

	c     *as.Client
	admin *as.AdminPolicy
	info  *as.InfoPolicy
	write *as.WritePolicy
}

// Dial opens a client: it connects to the seeds, discovers the cluster and,
// with a user set, logs in to every node.
func Dial(cfg Config) (*Client, error) {
	p := as.NewClientPolicy()
	p.User, p.Password, p.ClusterName = cfg.User, cfg.Password, cfg.ClusterName
	if cfg.ConnectTimeout > 0 {
		p.Timeout, p.LoginTimeout = cfg.ConnectTimeout, cfg.ConnectTimeout
	}
	p.TlsConfig = cfg.TLS
	// Connections are opened on demand: most reconciles need one node.
	p.MinConnectionsPerNode = 0
	hosts := make([]*as.Host, len(cfg.Hosts))
	for i, h := range cfg.Hosts {
		hosts[i] = as.NewHost(h.Name, h.Port)
		hosts[i].TLSName = cfg.TLSName
	}
	c, err := as.NewClientWithPolicyAndHost(p, hosts...)
	if err != nil {
		return nil, wrap(err, "cannot connect to "+hostList(cfg.Hosts))
	}
	timeout := cfg.CommandTimeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	w := as.NewWritePolicy(0, 0)
	w.TotalTimeout = timeout
	return &Client{
		c:     c,
		admin: &as.AdminPolicy{Timeout: timeout},
		info:  &as.InfoPolicy{Timeout: timeout},
		write: w,
	}, nil
}

// Close closes the client's connections.
func (c *Client) Close() { c.c.Close() }

// Broken reports whether a command timed out on this client, which must
// then not be used again.
func (c *Client) Broken() bool { return c.broken.Load() }

// check records a timeout before returning err.
func (c *Client) check(err error) error {
	if code, ok := Code(err); ok && (code == types.TIMEOUT || code == types.NETWORK_ERROR) {
		c.broken.Store(true)
	}
	return err
}

// User is a database user.
type User struct {
	Name  string
	Roles []string
}

// Privilege is one privilege of a role.
type Privilege struct {
	Code      string
	Namespace string
	Set       string
}

// Role is a database role.
type Role struct {
	Name       string
	Privileges []Privilege
	Whitelist  []string
	ReadQuota  uint32
	WriteQuota uint32
}

// QueryUser returns a user, or an error for which IsNotFound is true.
func (c *Client) QueryUser(name string) (*User, error) {
	u, err := c.c.QueryUser(c.admin, name)
	if err != nil {
		return nil, c.check(wrap(err, "cannot query user "+quote(name)))
	}
	if u == nil {
		return nil, &Error{Code: types.INVALID_USER, Message: "no user " + quote(name)}
	}
	roles := append([]string(nil), u.Roles...)
	sort.Strings(roles)
	return &User{Name: u.User, Roles: roles}, nil
}

// CreateUser creates a user with a password and roles.
func (c *Client) CreateUser(name, password string, roles []string) error {
	return c.check(wrap(c.c.CreateUser(c.admin, name, password, roles), "cannot create user "+quote(name)))
}

// DropUser drops a user.
func (c *Client) DropUser(name string) error {
	return c.check(wrap(c.c.DropUser(c.admin, name), "cannot drop user "+quote(name)))
}

// SetPassword sets a user's password.
func (c *Client) SetPassword(name, password string) error {
	return c.check(wrap(c.c.ChangePassword(c.admin, name, password), "cannot set the password of user "+quote(name)))
}

// GrantRoles grants roles to a user.
func (c *Client) GrantRoles(name string, roles []string) error {
	return c.check(wrap(c.c.GrantRoles(c.admin, name, roles), "cannot grant roles to user "+quote(name)))
}

// RevokeRoles revokes roles from a user.
func (c *Client) RevokeRoles(name string, roles []string) error {
	return c.check(wrap(c.c.RevokeRoles(c.admin, name, roles), "cannot revoke roles from user "+quote(name)))
}

// QueryRole returns a role, or an error for which IsNotFound is true.
func (c *Client) QueryRole(name string) (*Role, error) {
	r, err := c.c.QueryRole(c.admin, name)
	if err != nil {
		return nil, c.check(wrap(err, "cannot query role "+quote(name)))
	}
	if r == nil {
		return nil, &Error{Code: types.INVALID_ROLE, Message: "no role " + quote(name)}
	}
	out := &Role{Name: r.Name, Whitelist: append([]string(nil), r.Whitelist...), ReadQuota: r.ReadQuota, WriteQuota: r.WriteQuota}
	for _, p := range r.Privileges {
		out.Privileges = append(out.Privileges, Privilege{Code: string(p.Code), Namespace: p.Namespace, Set: p.SetName})
	}
	return out, nil
}

// CreateRole creates a role.
//
// aerospike-client-go v8.6.0 declares one field too few when a role has
// exactly one privilege or one allow-list entry, and a server that trusts
// the count drops them; such a role is created bare and then given its
// privileges and allow-list.
func (c *Client) CreateRole(r Role) error {
	privs, err := privileges(r.Privileges)
	if err != nil {
		return err
	}
	if len(privs) != 1 && len(r.Whitelist) != 1 {
		return c.check(wrap(c.c.CreateRole(c.admin, r.Name, privs, r.Whitelist, r.ReadQuota, r.WriteQuota), "cannot create role "+quote(r.Name)))
	}
	if err := c.c.CreateRole(c.admin, r.Name, nil, nil, r.ReadQuota, r.WriteQuota); err != nil {
		return c.check(wrap(err, "cannot create role "+quote(r.Name)))
	}
	if len(privs) > 0 {
		if err := c.GrantPrivileges(r.Name, r.Privileges); err != nil {
			return err
		}
	}
	if len(r.Whitelist) > 0 {
		return c.SetWhitelist(r.Name, r.Whitelist)
	}
	return nil
}

// DropRole drops a role.
func (c *Client) DropRole(name string) error {
	return c.check(wrap(c.c.DropRole(c.admin, name), "cannot drop role "+quote(name)))
}

// GrantPrivileges adds privileges to a role.
func (c *Client) GrantPrivileges(role string, ps []Privilege) error {
	privs, err := privileges(ps)
	if err != nil {
		return err
	}
	return c.check(wrap(c.c.GrantPrivileges(c.admin, role, privs), "cannot grant privileges to role "+quote(role)))
}

// RevokePrivileges removes privileges from a role.
func (c *Client) RevokePrivileges(role string, ps []Privilege) error {
	privs, err := privileges(ps)
	if err != nil {
		return err
	}
	return c.check(wrap(c.c.RevokePrivileges(c.admin, role, privs), "cannot revoke privileges from role "+quote(role)))
}

// SetWhitelist replaces a role's allow-list; an empty one allows all.
func (c *Client) SetWhitelist(role string, whitelist []string) error {
	return c.check(wrap(c.c.SetWhitelist(c.admin, role, whitelist), "cannot set the allow-list of role "+quote(role)))
}

// SetQuotas sets a role's read and write quotas; 0 is no limit.
func (c *Client) SetQuotas(role string, read, write uint32) error {
	return c.check(wrap(c.c.SetQuotas(c.admin, role, read, write), "cannot set the quotas of role "+quote(role)))
}

// privilegeCodes maps a code to the client's privilege. The client keeps the
// type of its codes unexported, so they are reached through its constants.
var privilegeCodes = map[string]as.Privilege{
	"read": {Code: as.Read}, "read-write": {Code: as.ReadWrite}, "read-write-udf": {Code: as.ReadWriteUDF},
	"write": {Code: as.Write}, "truncate": {Code: as.Truncate}, "sindex-admin": {Code: as.SIndexAdmin},
	"udf-admin": {Code: as.UDFAdmin}, "data-admin": {Code: as.DataAdmin}, "user-admin": {Code: as.UserAdmin},
	"sys-admin": {Code: as.SysAdmin},
}

func privileges(ps []Privilege) ([]as.Privilege, error) {
	out := make([]as.Privilege, 0, len(ps))
	for _, p := range ps {
		ap, ok := privilegeCodes[p.Code]
		if !ok {
			return nil, errors.Errorf("unknown privilege code %q", p.Code)
		}
		ap.Namespace, ap.SetName = p.Namespace, p.Set
		out = append(out, ap)
	}
	return out, nil
}

// Node is one node of the cluster as the client sees it.
type Node struct {
	Name    string
	Address string
}

// Nodes returns the cluster's active nodes, sorted by name.
func (c *Client) Nodes() []Node {
	ns := c.c.GetNodes()
	out := make([]Node, 0, len(ns))
	for _, n := range ns {
		if n.IsActive() {
			out = append(out, Node{Name: n.GetName(), Address: n.GetHost().String()})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// InfoAll sends info commands to every active node in one round trip each
// and returns each node's answers by node name. When some nodes do not
// answer (one that just stopped is still listed until the client notices),
// the others' answers come back with an *UnreachableError naming them.
func (c *Client) InfoAll(commands ...string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	var failed []string
	var last error
	for _, n := range c.c.GetNodes() {
		if !n.IsActive() {
			continue
		}
		res, err := n.RequestInfo(c.info, commands...)
		if err != nil {
			failed = append(failed, n.GetName())
			last = err
			continue
		}
		out[n.GetName()] = res
	}
	if len(out) == 0 {
		if last != nil {
			return nil, wrap(last, "no node of the cluster answers "+strings.Join(commands, ", "))
		}
		return nil, &Error{Code: types.INVALID_NODE_ERROR, Message: "no node of the cluster is reachable"}
	}
	if len(failed) > 0 {
		return out, &UnreachableError{Nodes: failed, cause: last}
	}
	return out, nil
}

// Info sends info commands to the node named node.
func (c *Client) Info(node string, commands ...string) (map[string]string, error) {
	n, err := c.c.Cluster().GetNodeByName(node)
	if err != nil {
		return nil, wrap(err, "cannot find node "+node)
	}
	res, err := n.RequestInfo(c.info, commands...)
	return res, wrap(err, "cannot ask node "+node+" for "+strings.Join(commands, ", "))
}

// InfoAny sends info commands to one active node: for what every node
// shares, such as UDF modules.
func (c *Client) InfoAny(commands ...string) (map[string]string, error) {
	n, err := c.c.Cluster().GetRandomNode()
	if err != nil {
		return nil, wrap(err, "cannot find a node of the cluster")
	}
	res, err := n.RequestInfo(c.info, commands...)
	return res, wrap(err, "cannot ask node "+n.GetName()+" for "+strings.Join(commands, ", "))
}

// UDF returns the code of a registered Lua module, in one round trip, or an
// error for which IsNotFound is true.
func (c *Client) UDF(name string) ([]byte, error) {
	cmd := "udf-get:filename=" + name
	res, err := c.InfoAny(cmd)
	if err != nil {
		return nil, err
	}
	fields := ParseStats(res[cmd])
	if e, ok := fields["error"]; ok {
		if e == "not_found" {
			return nil, &Error{Code: types.UDF_BAD_RESPONSE, Message: "no UDF module " + quote(name), notFound: true}
		}
		return nil, &Error{Code: types.UDF_BAD_RESPONSE, Message: "cannot get UDF module " + quote(name) + ": " + e}
	}
	code, derr := base64.StdEncoding.DecodeString(fields["content"])
	if derr != nil {
		return nil, errors.Wrapf(derr, "cannot decode UDF module %q", name)
	}
	return code, nil
}

// RegisterUDF registers a Lua module under name and waits until every node
// has it.
func (c *Client) RegisterUDF(name string, code []byte) error {
	task, err := c.c.RegisterUDF(c.write, code, name, as.LUA)
	if err != nil {
		return wrap(err, "cannot register UDF module "+quote(name))
	}
	return wait(task.OnComplete(), "cannot register UDF module "+quote(name))
}

// RemoveUDF removes a Lua module and waits until every node dropped it.
func (c *Client) RemoveUDF(name string) error {
	task, err := c.c.RemoveUDF(c.write, name)
	if err != nil {
		return wrap(err, "cannot remove UDF module "+quote(name))
	}
	return wait(task.OnComplete(), "cannot remove UDF module "+quote(name))
}

// UDFs returns the hash of every registered module, by name.
func (c *Client) UDFs() (map[string]string, error) {
	us, err := c.c.ListUDF(&c.write.BasePolicy)
	if err != nil {
		return nil, wrap(err, "cannot list UDF modules")
	}
	out := make(map[string]string, len(us))
	for _, u := range us {
		out[u.Filename] = u.Hash
	}
	return out, nil
}

// IndexSpec describes a secondary index.
type IndexSpec struct {
	Namespace, Set, Name, Bin string
	// Type is numeric, string, geo2dsphere or blob; CollectionType is
	// default, list, mapkeys or mapvalues.
	Type, CollectionType string
	// Context is the base64 of a packed CDT context, or empty.
	Context string
}

// IndexState is a secondary index on one node, as "sindex-list" reports it.
type IndexState struct {
	Spec IndexSpec
	// Ready is true once the node has built the index ("state=RW").
	Ready bool
}

// Indexes returns, for every node, the secondary indexes of a namespace by
// name: one round trip per node.
func (c *Client) Indexes(namespace string) (map[string]map[string]IndexState, error) {
	cmd := "sindex-list:ns=" + namespace
	answers, err := c.InfoAll(cmd)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]IndexState, len(answers))
	for node, a := range answers {
		out[node] = ParseIndexes(a[cmd])
	}
	return out, nil
}

// ParseIndexes reads an answer to "sindex-list", such as
// ns=test:indexname=idx:set=s:bin=age:type=numeric:indextype=list:context=null:exp=null:state=RW;…
func ParseIndexes(answer string) map[string]IndexState {
	out := map[string]IndexState{}
	for _, entry := range ParseList(strings.TrimSuffix(answer, ";")) {
		f := map[string]string{}
		for _, kv := range strings.Split(entry, ":") {
			if k, v, ok := strings.Cut(kv, "="); ok {
				f[k] = v
			}
		}
		name := f["indexname"]
		if name == "" {
			continue
		}
		ctx := f["context"]
		if ctx == "null" {
			ctx = ""
		}
		set := f["set"]
		if set == "null" {
			set = ""
		}
		out[name] = IndexState{
			Spec: IndexSpec{
				Namespace: f["ns"], Set: set, Name: name, Bin: f["bin"],
				Type: strings.ToLower(f["type"]), CollectionType: strings.ToLower(f["indextype"]), Context: ctx,
			},
			Ready: f["state"] == "RW",
		}
	}
	return out
}

var indexTypes = map[string]as.IndexType{"numeric": as.NUMERIC, "string": as.STRING, "geo2dsphere": as.GEO2DSPHERE, "blob": as.BLOB}

var collectionTypes = map[string]as.IndexCollectionType{
	"": as.ICT_DEFAULT, "default": as.ICT_DEFAULT, "list": as.ICT_LIST, "mapkeys": as.ICT_MAPKEYS, "mapvalues": as.ICT_MAPVALUES,
}

// CreateIndex starts building a secondary index and returns without waiting
// for the build, which may take long: callers poll IndexLoadPercent.
func (c *Client) CreateIndex(s IndexSpec) error {
	it, ok := indexTypes[s.Type]
	if !ok {
		return errors.Errorf("unknown index type %q", s.Type)
	}
	ct, ok := collectionTypes[s.CollectionType]
	if !ok {
		return errors.Errorf("unknown index collection type %q", s.CollectionType)
	}
	var ctx []*as.CDTContext
	if s.Context != "" {
		var err error
		if ctx, err = as.Base64ToCDTContext(s.Context); err != nil {
			return wrap(err, "cannot decode the context of index "+quote(s.Name))
		}
	}
	_, err := c.c.CreateComplexIndex(c.write, s.Namespace, s.Set, s.Name, s.Bin, it, ct, ctx...)
	return wrap(err, "cannot create index "+quote(s.Name))
}

// DropIndex drops a secondary index.
func (c *Client) DropIndex(namespace, set, name string) error {
	return c.check(wrap(c.c.DropIndex(c.write, namespace, set, name), "cannot drop index "+quote(name)))
}

func wait(done <-chan as.Error, msg string) error {
	select {
	case err := <-done:
		return wrap(err, msg)
	case <-time.After(30 * time.Second):
		return &Error{Code: types.TIMEOUT, Message: msg + ": not every node confirmed within 30s"}
	}
}

func quote(s string) string { return `"` + s + `"` }
