// Package layout is the pod's filesystem as aerospike.conf and the pod
// template both name it: where the configuration, the data, the secrets and
// the certificates are mounted, and the volumes that hold them. The
// configuration writes these paths and the StatefulSet mounts at them, so
// they are defined once, here.
package layout

// Paths inside the server container.
const (
	ConfDir    = "/etc/aerospike/conf"
	ConfFile   = "aerospike.conf"
	WorkDir    = "/opt/aerospike/work"
	DataDir    = "/opt/aerospike/data"
	DeviceDir  = "/dev/aerospike"
	SecretsDir = "/etc/aerospike/secrets"
	TLSDir     = "/etc/aerospike/tls"

	// FeatureKeyFile is the feature key's file name under SecretsDir.
	FeatureKeyFile = "features.conf"

	// The certificate, key and CA under TLSDir, named as cert-manager names
	// them in a Certificate's Secret.
	TLSCertFile = "tls.crt"
	TLSKeyFile  = "tls.key"
	TLSCAFile   = "ca.crt"
)

// UDFDir is where the server keeps registered UDF modules; under the work
// directory, so they persist with it.
const UDFDir = WorkDir + "/usr/udf/lua"

// Volumes of the pod that more than one builder names.
const (
	// ConfigVolume is the ConfigMap of every rack's aerospike.conf.
	ConfigVolume = "config"

	// RenderedConfVolume holds the aerospike.conf a pod's init container
	// wrote for it, where the configuration differs per pod.
	RenderedConfVolume = "conf"
)
