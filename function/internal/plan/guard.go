package plan

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/check"
	"github.com/xp-aerospike/xp-aerospike/internal/asconfig"
)

// AnnotationConfirm is the annotation on an AerospikeDatabase with which a
// user confirms, on purpose, a change that loses data: a comma-separated list
// of what Guard names, such as namespace/orders or edition.
const AnnotationConfirm = "aerospike.xp-aerospike.io/confirm-data-loss"

// Annotations on each StatefulSet recording what its data depends on, so a
// later spec can be compared with what the pods hold.
const (
	AnnotationNamespaces = "aerospike.xp-aerospike.io/namespaces"
	AnnotationEdition    = "aerospike.xp-aerospike.io/edition"
	AnnotationVersion    = "aerospike.xp-aerospike.io/version"
	// AnnotationInterNodeTLS lists the channels between nodes under TLS
	// (fabric, heartbeat); absent when none is.
	AnnotationInterNodeTLS = "aerospike.xp-aerospike.io/inter-node-tls"
)

// Signature records a spec's data-bearing choices in StatefulSet
// annotations.
func Signature(s *v1alpha1.AerospikeDatabaseSpec, version string) map[string]string {
	nss := make([]string, 0, len(s.Namespaces))
	for _, ns := range s.Namespaces {
		nss = append(nss, fmt.Sprintf("%s=%s/%s/%d", ns.Name, ns.Storage.Type, ns.Storage.Size.String(), ns.ReplicationFactor))
	}
	sig := map[string]string{
		AnnotationNamespaces: strings.Join(nss, ","),
		AnnotationEdition:    string(s.Edition),
		AnnotationVersion:    version,
	}
	if t := interNodeTLS(s); t != "" {
		sig[AnnotationInterNodeTLS] = t
	}
	return sig
}

// interNodeTLS lists the channels between nodes the spec puts under TLS.
func interNodeTLS(s *v1alpha1.AerospikeDatabaseSpec) string {
	if s.TLS == nil {
		return ""
	}
	var chs []string
	if s.TLS.Fabric {
		chs = append(chs, "fabric")
	}
	if s.TLS.Heartbeat {
		chs = append(chs, "heartbeat")
	}
	return strings.Join(chs, ",")
}

type nsSig struct {
	storage string
	size    resource.Quantity
	rf      int64
}

func parseNamespaces(a string) map[string]nsSig {
	out := map[string]nsSig{}
	for _, e := range strings.Split(a, ",") {
		name, rest, ok := strings.Cut(e, "=")
		parts := strings.Split(rest, "/")
		if !ok || len(parts) != 3 {
			continue
		}
		q, err := resource.ParseQuantity(parts[1])
		if err != nil {
			continue
		}
		rf, _ := strconv.ParseInt(parts[2], 10, 32)
		out[name] = nsSig{storage: parts[0], size: q, rf: rf}
	}
	return out
}

// Guard refuses what the spec changes since the observed StatefulSets were
// made that would lose data, unless confirmed holds its confirmation. Each
// error names the spec field and the annotation value that confirms it.
func Guard(racks []Rack, s *v1alpha1.AerospikeDatabaseSpec, version string, confirmed []string) check.Result {
	var observed *Rack
	for i := range racks {
		if racks[i].Observed != nil {
			observed = &racks[i]
			break
		}
	}
	if observed == nil {
		return check.Result{} // a new database loses nothing
	}
	copies := singleCopy(racks, s, confirmed)
	have := observed.Observed.Annotations
	if have[AnnotationNamespaces] == "" {
		return copies // made before signatures existed: nothing else to compare
	}
	p := field.NewPath("spec")
	var errs field.ErrorList
	refuse := func(path *field.Path, what, token string) {
		if e := unconfirmed(confirmed, path, what+" would lose data", token, "revert the change"); e != nil {
			errs = append(errs, e)
		}
	}

	old := parseNamespaces(have[AnnotationNamespaces])
	index := map[string]int{}
	for i, ns := range s.Namespaces {
		index[ns.Name] = i
	}
	for _, name := range slices.Sorted(maps.Keys(old)) {
		o := old[name]
		i, ok := index[name]
		if !ok {
			refuse(p.Child("namespaces"), fmt.Sprintf("removing namespace %q deletes its records", name), "namespace/"+name)
			continue
		}
		ns := s.Namespaces[i]
		np := p.Child("namespaces").Index(i)
		switch {
		case string(ns.Storage.Type) != o.storage:
			refuse(np.Child("storage", "type"), fmt.Sprintf("changing namespace %q from %s to %s storage starts it empty", name, o.storage, ns.Storage.Type), "storage/"+name)
		case o.storage != string(v1alpha1.StorageMemory) && ns.Storage.Size.Cmp(o.size) != 0:
			// Not confirmable: a StatefulSet's volume claims cannot change.
			errs = append(errs, field.Forbidden(np.Child("storage", "size"), fmt.Sprintf("the volumes of namespace %q are %s: a StatefulSet cannot resize its volume claims; keep the size, or add a namespace with the new size and move the data", name, o.size.String())))
		case ns.Storage.Size.Cmp(o.size) < 0:
			refuse(np.Child("storage", "size"), fmt.Sprintf("shrinking namespace %q from %s to %s evicts records that no longer fit", name, o.size.String(), ns.Storage.Size.String()), "storage/"+name)
		}
		if int64(ns.ReplicationFactor) < o.rf {
			refuse(np.Child("replicationFactor"), fmt.Sprintf("lowering the replication factor of namespace %q from %d to %d drops copies a node loss would need", name, o.rf, ns.ReplicationFactor), "replication-factor/"+name)
		}
	}
	if e := have[AnnotationEdition]; e != "" && e != string(s.Edition) {
		refuse(p.Child("edition"), fmt.Sprintf("changing edition from %s to %s replaces every node's server and its storage format", e, s.Edition), "edition")
	}
	errs = append(errs, upgrade(p.Child("version"), have[AnnotationVersion], version)...)
	if was, is := have[AnnotationInterNodeTLS], interNodeTLS(s); was != is {
		// Not confirmable: no data is lost, but a rolling restart would
		// leave nodes on either side unable to reach each other, and a
		// cluster split in two takes writes on both halves.
		errs = append(errs, field.Forbidden(p.Child("tls"), fmt.Sprintf("the nodes talk with TLS on [%s] and would talk with TLS on [%s]: nodes with and without TLS on the fabric or heartbeat cannot reach each other, so a rolling restart would split the cluster; keep spec.tls.fabric and spec.tls.heartbeat as the cluster was created", was, is)))
	}

	o := observed.Observed.Spec.PersistentVolumeClaimRetentionPolicy
	r := s.PersistentVolumeClaimRetentionPolicy
	if o != nil && r != nil {
		if string(o.WhenDeleted) != "Delete" && r.WhenDeleted == "Delete" {
			refuse(p.Child("persistentVolumeClaimRetentionPolicy", "whenDeleted"), "deleting the data volumes with the database", "volume-deletion")
		}
		if string(o.WhenScaled) != "Delete" && r.WhenScaled == "Delete" {
			refuse(p.Child("persistentVolumeClaimRetentionPolicy", "whenScaled"), "deleting the data volumes of nodes removed by a scale-down", "volume-deletion")
		}
	}
	copies.Errors = append(errs, copies.Errors...)
	return copies
}

// upgrade refuses version changes the server does not support: skipping a
// major version, or going back to an older major.
func upgrade(p *field.Path, from, to string) field.ErrorList {
	if from == "" || from == to {
		return nil
	}
	f, err1 := asconfig.ParseVersion(from)
	t, err2 := asconfig.ParseVersion(to)
	if err1 != nil || err2 != nil {
		return nil
	}
	switch {
	case t[0] > f[0]+1:
		return field.ErrorList{field.Forbidden(p, fmt.Sprintf("the cluster runs %s: upgrade one major version at a time (to %d.x first)", from, f[0]+1))}
	case t[0] < f[0]:
		return field.ErrorList{field.Forbidden(p, fmt.Sprintf("the cluster runs %s: a downgrade to an older major version is not supported; stay on %d.x", from, f[0]))}
	}
	return nil
}

// Confirmed parses the confirmation annotation's value.
func Confirmed(annotations map[string]string) []string {
	var out []string
	for _, t := range strings.Split(annotations[AnnotationConfirm], ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// singleCopy refuses, unless confirmed, a step towards the spec that takes a
// node away while a namespace keeps one copy of each record: a node removed
// takes its records with it, and a memory namespace's node that restarts
// comes back empty. A persistent namespace's node that restarts only makes
// its records unavailable meanwhile, which is a warning.
func singleCopy(racks []Rack, s *v1alpha1.AerospikeDatabaseSpec, confirmed []string) check.Result {
	var shrinks, restarts bool
	for _, r := range racks {
		o := r.Observed
		if o == nil {
			continue
		}
		shrinks = shrinks || ptr.Deref(o.Spec.Replicas, 1) > r.Nodes
		restarts = restarts || !r.Leaving && (TemplateOf(o) != r.Template || Partition(o) > 0)
	}
	var res check.Result
	for i, ns := range s.Namespaces {
		if ns.ReplicationFactor != 1 {
			continue
		}
		token := "single-copy/" + ns.Name
		p := field.NewPath("spec", "namespaces").Index(i).Child("replicationFactor")
		memory := ns.Storage.Type == v1alpha1.StorageMemory
		var loss string
		switch {
		case shrinks:
			loss = "removing a node loses every record it holds"
		case restarts && memory:
			loss = "restarting a node empties it: a memory namespace's records on it are lost"
		case restarts:
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: namespace %q keeps one copy of each record: its records are unavailable while the node that holds them restarts; raise the replication factor to 2 to keep them available", p, ns.Name))
			continue
		default:
			continue
		}
		what := fmt.Sprintf("namespace %q keeps one copy of each record (replicationFactor 1): %s", ns.Name, loss)
		if e := unconfirmed(confirmed, p, what, token, "raise the replication factor to 2 first and let the cluster migrate"); e != nil {
			res.Errors = append(res.Errors, e)
		}
	}
	return res
}

// unconfirmed refuses what at p, saying how to confirm it with token or
// what to do instead, unless confirmed holds token.
func unconfirmed(confirmed []string, p *field.Path, what, token, instead string) *field.Error {
	if slices.Contains(confirmed, token) {
		return nil
	}
	return field.Forbidden(p, fmt.Sprintf("%s; if you mean it, add %s to the annotation %s (comma-separated), or %s", what, token, AnnotationConfirm, instead))
}
