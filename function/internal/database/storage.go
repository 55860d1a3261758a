package database

import (
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/input/v1beta1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/layout"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
)

// Storage is a namespace's storage as a pod holds it: aerospike.conf names
// its device or file, the pod template mounts its volume there.
type Storage struct {
	// Namespace whose records it holds.
	Namespace string

	Type v1alpha1.StorageType
	Size resource.Quantity

	// Volume names its volume claim and the pod's volume; empty for
	// memory, which has none.
	Volume string

	// Class of the volume claim; nil leaves it to the cluster's default.
	Class *string
}

// Persistent reports whether the namespace keeps its records on a volume.
func (s Storage) Persistent() bool { return s.Type != v1alpha1.StorageMemory }

// DevicePath is where a device namespace's block device appears in the
// server container.
func (s Storage) DevicePath() string { return layout.DeviceDir + "/" + s.Volume }

// MountPath is where a file namespace's volume is mounted in the server
// container.
func (s Storage) MountPath() string { return layout.DataDir + "/" + s.Volume }

// File is a file namespace's data file.
func (s Storage) File() string { return s.MountPath() + "/" + s.Namespace + ".dat" }

// storage resolves each namespace's storage, in spec order; a volume without
// a class of its own gets the platform's default class from in.
func storage(s *v1alpha1.AerospikeDatabaseSpec, in *v1beta1.Input) []Storage {
	out := make([]Storage, 0, len(s.Namespaces))
	for _, ns := range s.Namespaces {
		st := Storage{Namespace: ns.Name, Type: ns.Storage.Type, Size: ns.Storage.Size}
		if st.Persistent() {
			st.Volume = names.Volume(ns.Name)
			switch {
			case ns.Storage.StorageClassName != nil:
				st.Class = ptr.To(*ns.Storage.StorageClassName)
			case in.StorageClassName != "":
				st.Class = ptr.To(in.StorageClassName)
			}
		}
		out = append(out, st)
	}
	return out
}
