// Package config composes each rack's aerospike.conf: the configuration the
// spec implies, with the user's aerospikeConfig merged over it, validated
// against the schema of the server version before anything is emitted.
//
// The configuration differs between racks only by rack-id. Each rack's
// configuration carries a hash over everything but the heartbeat seeds: the
// seeds list every pod, so they change with the size, but a running node only
// needs them to join at start-up. Leaving them out of the hash means a
// scale-up does not restart every node.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/check"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/external"
	"github.com/xp-aerospike/xp-aerospike/function/internal/layout"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
	"github.com/xp-aerospike/xp-aerospike/function/internal/tls"
	"github.com/xp-aerospike/xp-aerospike/function/internal/xr"
	"github.com/xp-aerospike/xp-aerospike/internal/asconfig"
)

// minFileHeadroom is the least space left on a file namespace's volume for
// the filesystem's own metadata and journal.
const minFileHeadroom = 128 << 20

// Rack is the configuration of one rack.
type Rack struct {
	// ID of the rack.
	ID int32

	// Text is the rendered aerospike.conf.
	Text []byte

	// Hash identifies the configuration a pod must restart to apply: all
	// of it but the seeds and the namespace settings the server changes
	// live, which Live holds.
	Hash string

	// Live holds, by namespace, the settings the server can change while it
	// runs, named and written as get-config reports them
	// (storage-engine.defrag-lwm-pct: "60"); the provider applies them to
	// running nodes without a restart.
	Live map[string]map[string]string

	// LogLevels are the console sink's levels by context, any included,
	// which the provider applies to running nodes without a restart.
	LogLevels map[string]string
}

// DefaultLogLevels are the console sink's levels when the spec sets none.
var DefaultLogLevels = map[string]string{"any": "info"}

// Build returns the configuration of every rack of d, in d.Racks' order, or
// the errors that make the configuration invalid, each naming the spec field
// to change.
func Build(d *database.Database) ([]Rack, check.Result) {
	user, errs := userConf(d)
	if len(errs) > 0 {
		return nil, check.Errors(errs...)
	}
	seedKey, seedPort := "mesh-seed-address-ports", database.HeartbeatPort
	if d.HeartbeatTLS() {
		seedKey, seedPort = "tls-mesh-seed-address-ports", database.TLSHeartbeatPort
	}
	seeds := make([]any, 0, d.Spec.Size)
	for _, h := range d.PodHosts() {
		seeds = append(seeds, h+":"+strconv.Itoa(seedPort))
	}

	out := make([]Rack, 0, len(d.Racks))
	for i, r := range d.Racks {
		ours, origins := spec(d, r)
		if i == 0 {
			// Racks differ only by rack-id, which is valid by
			// construction: validating one rack validates all.
			if errs := validate(d, ours, origins, user); len(errs) > 0 {
				return nil, check.Errors(errs...)
			}
		}
		conf := asconfig.Merge(ours, user)
		heartbeat(conf)[seedKey] = seeds
		external.Configure(d, conf)
		text, err := asconfig.Write(conf)
		if err != nil {
			return nil, check.Errors(field.InternalError(field.NewPath("spec", "aerospikeConfig"), err))
		}
		h, err := hash(conf, d.Schema)
		if err != nil {
			return nil, check.Errors(field.InternalError(field.NewPath("spec", "aerospikeConfig"), err))
		}
		out = append(out, Rack{ID: r.ID, Text: text, Hash: h, Live: live(conf, d.Schema), LogLevels: logLevels(conf)})
	}
	return out, check.Result{}
}

// hash identifies a configuration without what a running node needs no
// restart for: the heartbeat seeds, the namespace settings the server
// changes live (exactly those live returns) and the console sink's levels,
// hashed as if at their default (any at info), so a database that sets none
// keeps the hash it had before levels changed live. It hashes the text the
// writer renders of what is left, which is what a pod reads.
func hash(c asconfig.Conf, s *asconfig.Schema) (string, error) {
	text, err := asconfig.Write(restartable(c, s))
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(text)
	return hex.EncodeToString(sum[:]), nil
}

// restartable returns a copy of c without the settings hash leaves out.
func restartable(c asconfig.Conf, s *asconfig.Schema) asconfig.Conf {
	out := asconfig.Merge(c, nil)
	hb := heartbeat(out)
	delete(hb, "mesh-seed-address-ports")
	delete(hb, "tls-mesh-seed-address-ports")
	nss, _ := out["namespaces"].([]any)
	for _, n := range nss {
		ns, _ := n.(map[string]any)
		liveKeys(ns, s, func(m map[string]any, key, _, _ string) { delete(m, key) })
	}
	sinks, _ := out["logging"].([]any)
	for i, e := range sinks {
		sink, _ := e.(map[string]any)
		if sink["name"] != "console" {
			continue
		}
		def := asconfig.Conf{"name": "console"}
		if level, ok := setting(sink["any"]); ok && level != "" {
			def["any"] = DefaultLogLevels["any"]
		}
		sinks[i] = def
	}
	return out
}

// perNode are dynamic namespace settings that differ between nodes, so the
// provider, which sets a value on every node, must not manage them: they
// change through the configuration and a restart.
var perNode = map[string]bool{"rack-id": true}

// liveKeys calls f with each single setting of a namespace (or of its
// storage engine) that the server changes live: the map that holds it, its
// key there, and its name and value as get-config reports them
// (storage-engine.defrag-lwm-pct: "60").
func liveKeys(ns map[string]any, s *asconfig.Schema, f func(m map[string]any, key, name, value string)) {
	for _, k := range slices.Sorted(maps.Keys(ns)) {
		if k == "storage-engine" {
			se, _ := ns[k].(map[string]any)
			for _, sk := range slices.Sorted(maps.Keys(se)) {
				if str, ok := setting(se[sk]); ok && s.Dynamic("namespaces", "storage-engine", sk) {
					f(se, sk, "storage-engine."+sk, str)
				}
			}
			continue
		}
		if str, ok := setting(ns[k]); ok && k != "name" && !perNode[k] && s.Dynamic("namespaces", k) {
			f(ns, k, k, str)
		}
	}
}

// logLevels returns the console sink's levels by context.
func logLevels(c asconfig.Conf) map[string]string {
	out := map[string]string{}
	sinks, _ := c["logging"].([]any)
	for _, e := range sinks {
		sink, _ := e.(map[string]any)
		if sink["name"] != "console" {
			continue
		}
		for k, v := range sink {
			if str, ok := setting(v); ok && k != "name" {
				out[k] = str
			}
		}
	}
	return out
}

// live returns each namespace's settings the server changes live, named and
// written as get-config reports them.
func live(c asconfig.Conf, s *asconfig.Schema) map[string]map[string]string {
	out := map[string]map[string]string{}
	nss, _ := c["namespaces"].([]any)
	for _, n := range nss {
		ns, _ := n.(map[string]any)
		name, _ := ns["name"].(string)
		settings := map[string]string{}
		liveKeys(ns, s, func(_ map[string]any, _, name, value string) { settings[name] = value })
		if len(settings) > 0 {
			out[name] = settings
		}
	}
	return out
}

// setting writes a single value as get-config reports it; lists and
// sections are not single settings.
func setting(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case bool:
		return strconv.FormatBool(t), true
	case int64:
		return strconv.FormatInt(t, 10), true
	case int:
		return strconv.Itoa(t), true
	case json.Number:
		return t.String(), true
	case float64:
		if t == math.Trunc(t) {
			return strconv.FormatFloat(t, 'f', 0, 64), true
		}
	}
	return "", false
}

// ConfigMap holds every rack's aerospike.conf and, with external access,
// each pod's external address by pod name (see external.Key). Invalid
// addresses are left out: their pods wait.
func ConfigMap(d *database.Database, racks []Rack, addrs map[string]external.Address) *corev1.ConfigMap { //nolint:revive // Named for the kind it builds: config.Map would read as a map of settings.
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{
			Name:      d.Names.ConfigMap(),
			Namespace: d.Namespace,
			Labels:    d.Names.Labels("config"),
		},
		Data: make(map[string]string, len(racks)),
	}
	for _, r := range racks {
		cm.Data[names.ConfigKey(r.ID)] = string(r.Text)
	}
	for pod, a := range addrs {
		if a.Valid() {
			cm.Data[external.Key(pod)] = a.String()
		}
	}
	return cm
}

// heartbeat returns the network.heartbeat section of a merged configuration,
// which spec always creates.
func heartbeat(c asconfig.Conf) asconfig.Conf {
	return c["network"].(asconfig.Conf)["heartbeat"].(asconfig.Conf) //nolint:forcetypeassert // spec builds these maps.
}

// origin is the spec field a setting of ours derives from: a schema error in
// our part of the configuration is the user's to fix there.
type origin struct {
	path  *field.Path
	value any
	// hint explains how the setting derives from the field, when it is
	// not a copy.
	hint string
}

// spec returns the configuration the spec implies for one rack, and the
// origin of each setting derived from a spec field, by its path.
func spec(d *database.Database, r database.Rack) (asconfig.Conf, map[string]origin) {
	origins := map[string]origin{}
	service := asconfig.Conf{
		"cluster-name":   d.ClusterName,
		"work-directory": layout.WorkDir,
	}
	if d.Enterprise() {
		service["feature-key-file"] = layout.SecretsDir + "/" + layout.FeatureKeyFile
	}
	c := asconfig.Conf{
		"service": service,
		"logging": []any{asconfig.Conf{"name": "console", "any": "info"}},
		"network": asconfig.Conf{
			"service":   asconfig.Conf{"port": int64(database.ServicePort)},
			"fabric":    asconfig.Conf{"port": int64(database.FabricPort)},
			"heartbeat": asconfig.Conf{"mode": "mesh", "port": int64(database.HeartbeatPort)},
		},
		"mod-lua": asconfig.Conf{"user-path": layout.UDFDir},
	}
	if d.Security() {
		c["security"] = asconfig.Conf{}
	}
	if d.TLS() {
		tls.Configure(d, c["network"].(asconfig.Conf)) //nolint:forcetypeassert // built above.
	}
	nss := make([]any, 0, len(d.Spec.Namespaces))
	for i, ns := range d.Spec.Namespaces {
		sp := field.NewPath("spec", "namespaces").Index(i)
		cp := root.Child("namespaces").Key(ns.Name)
		n := asconfig.Conf{
			"name":               ns.Name,
			"replication-factor": int64(ns.ReplicationFactor),
			"storage-engine":     storageEngine(d.Storage[i]),
		}
		size := ns.Storage.Size.String()
		origins[cp.Child("replication-factor").String()] = origin{path: sp.Child("replicationFactor"), value: ns.ReplicationFactor}
		origins[cp.Child("storage-engine", "data-size").String()] = origin{path: sp.Child("storage", "size"), value: size}
		origins[cp.Child("storage-engine", "filesize").String()] = origin{path: sp.Child("storage", "size"), value: size,
			hint: "the data file gets the volume less 5% (at least 128Mi) for the filesystem; raise the size"}
		origins[cp.Child("storage-engine").String()] = origin{path: sp.Child("storage"), value: string(ns.Storage.Type)}
		if ttl, _ := xr.Seconds(ns.DefaultTTL); ns.DefaultTTL != "" {
			n["default-ttl"] = ttl
			origins[cp.Child("default-ttl").String()] = origin{path: sp.Child("defaultTTL"), value: string(ns.DefaultTTL)}
		}
		if nsup, _ := xr.Seconds(ns.NsupPeriod); ns.NsupPeriod != "" {
			n["nsup-period"] = nsup
			origins[cp.Child("nsup-period").String()] = origin{path: sp.Child("nsupPeriod"), value: string(ns.NsupPeriod)}
		}
		if d.RackAware() {
			n["rack-id"] = int64(r.ID)
		}
		nss = append(nss, n)
	}
	c["namespaces"] = nss
	return c, origins
}

// root is the path under which our own configuration is validated, before
// errors are traced back to the spec.
var root = field.NewPath("aerospike.conf")

func storageEngine(st database.Storage) asconfig.Conf {
	switch st.Type {
	case v1alpha1.StorageDevice:
		return asconfig.Conf{"type": "device", "devices": []any{st.DevicePath()}}
	case v1alpha1.StorageFile:
		return asconfig.Conf{"type": "device", "files": []any{st.File()}, "filesize": FileSize(st.Size)}
	default:
		return asconfig.Conf{"type": "memory", "data-size": byteCount(st.Size)}
	}
}

// FileSize is how large a file namespace's data file may grow on a volume of
// the given size: the volume less room for the filesystem, rounded down to a
// MiB.
func FileSize(volume resource.Quantity) int64 {
	v := byteCount(volume)
	room := max(v/20, minFileHeadroom)
	return max((v-room)>>20<<20, 0)
}

func byteCount(q resource.Quantity) int64 {
	v, ok := q.AsInt64()
	if !ok {
		// Fractions of a byte or sizes beyond int64: the schema's
		// maximum will refuse the latter.
		f := q.AsApproximateFloat64()
		if f > math.MaxInt64 {
			return math.MaxInt64
		}
		return int64(f)
	}
	return v
}

// validate checks our configuration, then the merged one. An error in ours
// is reported at the spec field it came from; an error after merging is the
// user's aerospikeConfig's.
func validate(d *database.Database, ours asconfig.Conf, origins map[string]origin, user asconfig.Conf) field.ErrorList {
	enterprise := d.Enterprise()
	found := d.Schema.Validate(ours, enterprise, root)
	errs := make(field.ErrorList, 0, len(found))
	for _, e := range found {
		if o, ok := origins[e.Field]; ok {
			detail := fmt.Sprintf("%s %s for server %s, which %v gives", strings.TrimPrefix(e.Field, root.String()+"."), e.Detail, d.Version, describe(e.BadValue))
			if o.hint != "" {
				detail += ": " + o.hint
			}
			e.Field, e.BadValue, e.Detail = o.path.String(), o.value, detail
		}
		errs = append(errs, e)
	}
	if len(errs) > 0 || len(user) == 0 {
		return errs
	}
	return d.Schema.Validate(asconfig.Merge(ours, user), enterprise, field.NewPath("spec", "aerospikeConfig"))
}

// userConf reads spec.aerospikeConfig and refuses settings the spec owns.
func userConf(d *database.Database) (asconfig.Conf, field.ErrorList) {
	p := field.NewPath("spec", "aerospikeConfig")
	if d.Spec.AerospikeConfig == nil || len(d.Spec.AerospikeConfig.Raw) == 0 {
		return nil, nil
	}
	var c asconfig.Conf
	if err := json.Unmarshal(d.Spec.AerospikeConfig.Raw, &c); err != nil {
		return nil, field.ErrorList{field.Invalid(p, string(d.Spec.AerospikeConfig.Raw), "must be an object in the structured form of aerospike.conf (service, logging, network, namespaces, …)")}
	}
	return c, owned(d, c, p)
}

// describe prints a byte count as the quantity a user would write.
func describe(v any) string {
	if n, ok := v.(int64); ok && n > 0 && n%(1<<20) == 0 {
		return resource.NewQuantity(n, resource.BinarySI).String()
	}
	return fmt.Sprint(v)
}
