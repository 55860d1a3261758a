package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/external"
	"github.com/xp-aerospike/xp-aerospike/internal/asconfig"
)

// ownedSettings are the settings of aerospike.conf the spec or the pod's
// layout decides; the message says where to change them instead. Letting the
// user's aerospikeConfig override them would break what the rest of the
// composition relies on: ports the Services expose, the seeds that form the
// cluster, the paths of mounted volumes.
var ownedSettings = map[string]map[string]string{
	"service": {
		"cluster-name":      "the cluster name is the AerospikeDatabase's name, which the provider and the clients check",
		"feature-key-file":  "set spec.featureKeySecretRef",
		"feature-key-files": "set spec.featureKeySecretRef",
		"node-id":           "each node derives an id of its own; one id for every pod keeps all but one node out of the cluster",
		"work-directory":    "the work directory is the pod's persistent volume",
	},
	"network": {
		"tls": "the TLS context comes from spec.tls: the Secret it names is mounted where aerospike.conf looks",
	},
	"network.service": {
		"address":   "nodes listen on every address of their pod, which the Services reach",
		"addresses": "nodes listen on every address of their pod, which the Services reach",
		"port":      "the client port is 3000, which the Services expose",
		"tls-name":  "set spec.tls.name, the name the certificate carries",
		"tls-port":  "the TLS client port is 4333, which the Services expose; set spec.tls",
	},
	"network.fabric": {
		"address":   "nodes listen on every address of their pod, which their peers reach",
		"addresses": "nodes listen on every address of their pod, which their peers reach",
		"port":      "the fabric port is 3001, which the headless Service exposes",
		"tls-name":  "set spec.tls.name, the name the certificate carries",
		"tls-port":  "the TLS fabric port is 3011, which the headless Service exposes; set spec.tls.fabric",
	},
	"network.heartbeat": {
		"address":                     "nodes listen on every address of their pod, which their peers reach",
		"addresses":                   "nodes listen on every address of their pod, which their peers reach",
		"mode":                        "nodes find each other by mesh heartbeat through the headless Service",
		"port":                        "the heartbeat port is 3002, which the headless Service exposes",
		"mesh-seed-address-ports":     "the seeds are every pod's DNS name, composed from spec.size and spec.racks",
		"multicast-groups":            "nodes find each other by mesh heartbeat",
		"tls-mesh-seed-address-ports": "the seeds are every pod's DNS name, composed from spec.size and spec.racks",
		"tls-name":                    "set spec.tls.name, the name the certificate carries",
		"tls-port":                    "the TLS heartbeat port is 3012, which the headless Service exposes; set spec.tls.heartbeat",
	},
	"mod-lua": {
		"user-path": "UDF modules live in the pod's work directory",
	},
}

// ownedNamespaceSettings are namespace settings with a spec field of their
// own; %d is the namespace's index in spec.namespaces.
var ownedNamespaceSettings = map[string]string{
	"replication-factor": "set spec.namespaces[%d].replicationFactor",
	"default-ttl":        "set spec.namespaces[%d].defaultTTL",
	"nsup-period":        "set spec.namespaces[%d].nsupPeriod",
	"rack-id":            "racks come from spec.racks (namespace %d)",
}

// ownedStorageSettings are the storage-engine settings that follow from a
// namespace's spec.namespaces[].storage and its volume; other storage-engine
// settings (write-block-size, defrag-lwm-pct, …) may be tuned.
var ownedStorageSettings = map[string]string{
	"type":      "set spec.namespaces[%d].storage.type",
	"data-size": "set spec.namespaces[%d].storage.size",
	"devices":   "devices are the namespace's volume: set spec.namespaces[%d].storage",
	"files":     "files are on the namespace's volume: set spec.namespaces[%d].storage",
	"filesize":  "the file size follows the volume: set spec.namespaces[%d].storage.size",
}

// owned refuses the settings of the user's configuration that the spec owns,
// and namespaces the spec does not declare: their volumes and replication
// come from spec.namespaces.
func owned(d *database.Database, c asconfig.Conf, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, section := range slices.Sorted(maps.Keys(ownedSettings)) {
		m := lookup(c, section)
		for _, k := range slices.Sorted(maps.Keys(ownedSettings[section])) {
			if _, ok := m[k]; ok {
				errs = append(errs, field.Forbidden(childPath(p, section).Child(k), "is managed by xp-aerospike: "+ownedSettings[section][k]))
			}
		}
	}
	errs = append(errs, external.Owned(d, c, p)...)
	index := map[string]int{}
	for i, ns := range d.Spec.Namespaces {
		index[ns.Name] = i
	}
	nss, ok := c["namespaces"]
	if !ok {
		return errs
	}
	list, ok := nss.([]any)
	if !ok {
		return append(errs, field.Invalid(p.Child("namespaces"), nss, "must be a list of namespaces, each with a name"))
	}
	for j, n := range list {
		ns, _ := n.(map[string]any)
		name, _ := ns["name"].(string)
		i, declared := index[name]
		if !declared {
			errs = append(errs, field.Invalid(p.Child("namespaces").Index(j).Child("name"), name, "is not in spec.namespaces: declare the namespace there (with its storage), then tune it here"))
			continue
		}
		np := p.Child("namespaces").Key(name)
		for _, k := range slices.Sorted(maps.Keys(ownedNamespaceSettings)) {
			if _, ok := ns[k]; ok {
				errs = append(errs, field.Forbidden(np.Child(k), "is managed by xp-aerospike: "+fmt.Sprintf(ownedNamespaceSettings[k], i)))
			}
		}
		se, _ := ns["storage-engine"].(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(ownedStorageSettings)) {
			if _, ok := se[k]; ok {
				errs = append(errs, field.Forbidden(np.Child("storage-engine", k), "is managed by xp-aerospike: "+fmt.Sprintf(ownedStorageSettings[k], i)))
			}
		}
	}
	return errs
}

// lookup returns the section at a dotted path, or nil.
func lookup(c asconfig.Conf, dotted string) map[string]any {
	cur := c
	for _, k := range strings.Split(dotted, ".") {
		next, _ := cur[k].(map[string]any)
		if next == nil {
			return nil
		}
		cur = next
	}
	return cur
}

func childPath(p *field.Path, dotted string) *field.Path {
	for _, k := range strings.Split(dotted, ".") {
		p = p.Child(k)
	}
	return p
}
