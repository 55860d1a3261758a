package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// Edition is an Aerospike server edition.
// +kubebuilder:validation:Enum=community;enterprise
type Edition string

// Editions.
const (
	// EditionCommunity is Aerospike Community Edition: at most 8 nodes and 2
	// namespaces, no rack awareness, no access control.
	EditionCommunity Edition = "community"
	// EditionEnterprise is Aerospike Enterprise Edition. It needs a feature
	// key file.
	EditionEnterprise Edition = "enterprise"
)

// StorageType says where a namespace keeps its records.
// +kubebuilder:validation:Enum=memory;device;file
type StorageType string

// Storage types.
const (
	// StorageMemory keeps records in memory only; they do not survive a
	// restart of every replica.
	StorageMemory StorageType = "memory"
	// StorageDevice keeps records on a raw block device (a PersistentVolume
	// in Block mode), the fastest persistent storage.
	StorageDevice StorageType = "device"
	// StorageFile keeps records in a file on a filesystem PersistentVolume.
	StorageFile StorageType = "file"
)

// PrivilegeCode is an Aerospike privilege.
// +kubebuilder:validation:Enum=read;read-write;read-write-udf;write;truncate;sindex-admin;udf-admin;data-admin;user-admin;sys-admin
type PrivilegeCode string

// Privilege codes.
const (
	PrivilegeRead         PrivilegeCode = "read"
	PrivilegeReadWrite    PrivilegeCode = "read-write"
	PrivilegeReadWriteUDF PrivilegeCode = "read-write-udf"
	PrivilegeWrite        PrivilegeCode = "write"
	PrivilegeTruncate     PrivilegeCode = "truncate"
	PrivilegeSIndexAdmin  PrivilegeCode = "sindex-admin"
	PrivilegeUDFAdmin     PrivilegeCode = "udf-admin"
	PrivilegeDataAdmin    PrivilegeCode = "data-admin"
	PrivilegeUserAdmin    PrivilegeCode = "user-admin"
	PrivilegeSysAdmin     PrivilegeCode = "sys-admin"
)

// Duration is a time span as Aerospike writes it: a whole number of seconds,
// or a whole number with the suffix s, m, h or d (for example 30d).
// +kubebuilder:validation:Pattern=`^[0-9]{1,10}[smhd]?$`
type Duration string

// AerospikeDatabaseSpec is what an application team asks for.
//
// +kubebuilder:validation:XValidation:rule="!has(self.edition) || self.edition != 'enterprise' || has(self.featureKeySecretRef)",message="spec.featureKeySecretRef is required for edition enterprise: name the Secret that holds the feature key file"
// +kubebuilder:validation:XValidation:rule="(has(self.edition) && self.edition == 'enterprise') || self.size <= 8",message="spec.size: Community Edition clusters have at most 8 nodes; lower spec.size or use edition enterprise"
// +kubebuilder:validation:XValidation:rule="(has(self.edition) && self.edition == 'enterprise') || size(self.namespaces) <= 2",message="spec.namespaces: Community Edition supports at most 2 namespaces; remove namespaces or use edition enterprise"
// +kubebuilder:validation:XValidation:rule="(has(self.edition) && self.edition == 'enterprise') || !has(self.accessControl)",message="spec.accessControl needs edition enterprise: Community Edition has no users or roles"
// +kubebuilder:validation:XValidation:rule="self.namespaces.all(n, !has(n.replicationFactor) || n.replicationFactor <= self.size)",message="spec.namespaces[*].replicationFactor must not exceed spec.size: a cluster cannot hold more copies of a record than it has nodes"
// +kubebuilder:validation:XValidation:rule="!has(self.monitoring) || !has(self.monitoring.exporterUser) || (has(self.accessControl) && has(self.accessControl.users) && self.accessControl.users.exists(u, u.name == self.monitoring.exporterUser))",message="spec.monitoring.exporterUser must name one of spec.accessControl.users"
// +kubebuilder:validation:XValidation:rule="!has(self.accessControl) || !has(self.monitoring) || !has(self.monitoring.enabled) || !self.monitoring.enabled || has(self.monitoring.exporterUser)",message="spec.monitoring.exporterUser is required with access control: name the user the exporter logs in as"
// +kubebuilder:validation:XValidation:rule="(has(self.edition) && self.edition == 'enterprise') || !has(self.tls)",message="spec.tls needs edition enterprise: Community Edition has no TLS"
// +kubebuilder:validation:XValidation:rule="!has(self.racks) || size(self.racks) <= self.size",message="spec.racks: every rack needs at least one node; use at most spec.size racks"
type AerospikeDatabaseSpec struct {
	// Size is the number of Aerospike nodes (pods). They are split evenly
	// across racks; the first racks take one more when the split is uneven.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=256
	Size int32 `json:"size"`

	// Version of the Aerospike server, for example 8.1.0.0. It selects the
	// configuration syntax and the schema the configuration is validated
	// against, and the image when spec.image is not set. Supported: 7.0 and
	// later. Without it (and without spec.image) the database runs the
	// platform's default version, and rolls to a new default safely.
	// +optional
	// +kubebuilder:validation:Pattern=`^[0-9]+\.[0-9]+\.[0-9]+(\.[0-9]+)?(_[0-9]+)?$`
	// +kubebuilder:validation:MaxLength=32
	Version string `json:"version,omitempty"`

	// Image overrides the server image, for example a mirror in a private
	// registry. When spec.version is not set, the version is read from the
	// image's tag.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Image string `json:"image,omitempty"`

	// ImagePullSecrets are Secrets in this namespace used to pull the image.
	// +optional
	// +listType=atomic
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`

	// Edition of the server. Community Edition is free and limited to 8
	// nodes and 2 namespaces; Enterprise Edition needs a feature key.
	// +optional
	// +kubebuilder:default=community
	Edition Edition `json:"edition,omitempty"`

	// FeatureKeySecretRef names the Secret and key holding the Enterprise
	// Edition feature key file. Required for edition enterprise.
	// +optional
	FeatureKeySecretRef *SecretKeyRef `json:"featureKeySecretRef,omitempty"`

	// Racks place nodes in failure domains, usually one per zone. Enterprise
	// Edition keeps the replicas of a record in different racks; Community
	// Edition still spreads the pods but cannot make Aerospike rack-aware.
	// Without racks, all nodes form one rack.
	// +optional
	// +listType=map
	// +listMapKey=id
	// +kubebuilder:validation:MaxItems=64
	Racks []Rack `json:"racks,omitempty"`

	// Namespaces are Aerospike's databases: each has its own replication
	// factor, storage and expiry.
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	Namespaces []Namespace `json:"namespaces"`

	// Resources of each Aerospike server container. The memory limit must
	// hold every memory namespace's size.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// Placement constrains where the pods run.
	// +optional
	Placement *Placement `json:"placement,omitempty"`

	// Service configures the client Service applications connect to.
	// +optional
	Service *ClientService `json:"service,omitempty"`

	// ExternalAccess, when set, makes every node reachable from outside the
	// Kubernetes cluster. Aerospike clients reach one seed, learn every
	// node's address from it and then connect to each node directly, so
	// one Service in front of the cluster is not enough: each pod gets a
	// Service of its own (type LoadBalancer or NodePort), and each node
	// advertises that Service's address as its alternate-access-address
	// (and port; with TLS, only the TLS port is exposed and advertised, as
	// tls-alternate-access-address), which clients outside the cluster use
	// when they ask for alternate addresses (useServicesAlternate in the
	// Aerospike clients).
	// Clients inside the cluster keep using the pods' own addresses.
	// Setting or removing it, or changing its type, restarts each node
	// once, one at a time; a node waits to start until its Service has an
	// address. With type LoadBalancer the connection Secret carries the
	// addresses as AEROSPIKE_EXTERNAL_SEEDS.
	// +optional
	ExternalAccess *ExternalAccess `json:"externalAccess,omitempty"`

	// NetworkPolicy, when enabled, admits to the database's pods only its
	// own nodes (every port), and on the client port only the provider and
	// the applications of this namespace and of ClientNamespaces; with
	// monitoring, the exporter's port stays open to scrapers; with
	// externalAccess, the client port is open to any address, since
	// external clients arrive through load balancers and node ports.
	// +optional
	NetworkPolicy *NetworkPolicy `json:"networkPolicy,omitempty"`

	// AerospikeConfig holds any other aerospike.conf setting, in the
	// structured form the Aerospike Kubernetes Operator's aerospikeConfig
	// uses (service, logging, network, namespaces, mod-lua, security, xdr),
	// so an existing block can be pasted. It is merged over the configuration
	// composed from the rest of the spec and validated against the schema of
	// the server version. Settings the spec owns (ports, heartbeat, storage
	// engines, replication factor, rack-id) must be set through their fields.
	// +optional
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	AerospikeConfig *apiextensionsv1.JSON `json:"aerospikeConfig,omitempty"`

	// AccessControl declares the roles and users the cluster must have.
	// Enterprise Edition only.
	// +optional
	AccessControl *AccessControl `json:"accessControl,omitempty"`

	// Monitoring of the cluster with Prometheus.
	// +optional
	Monitoring *Monitoring `json:"monitoring,omitempty"`

	// PodSecurity of the database's pods. Every container already runs
	// without Linux capabilities, without privilege escalation and under
	// the runtime's default seccomp profile.
	// +optional
	PodSecurity *PodSecurity `json:"podSecurity,omitempty"`

	// TLS encrypts client traffic and, optionally, the traffic between
	// nodes, with a certificate from a Secret. Enterprise Edition only.
	// +optional
	TLS *TLS `json:"tls,omitempty"`

	// MaxUnavailable is how many nodes may be down at once for voluntary
	// disruptions such as node drains. It must be lower than the smallest
	// replication factor, so no record loses every copy. Defaults to 1, or 0
	// when a namespace has replication factor 1.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaxUnavailable *int32 `json:"maxUnavailable,omitempty"`

	// PersistentVolumeClaimRetentionPolicy says what happens to the data
	// volumes when the database is deleted or scaled down. Both default to
	// Retain: data is kept unless you explicitly ask for Delete.
	// +optional
	PersistentVolumeClaimRetentionPolicy *PersistentVolumeClaimRetentionPolicy `json:"persistentVolumeClaimRetentionPolicy,omitempty"`
}

// SecretKeyRef selects a key of a Secret in the database's namespace.
type SecretKeyRef struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// Key within the Secret.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key,omitempty"`
}

// Rack is a failure domain of the cluster, rendered as one StatefulSet.
type Rack struct {
	// ID is Aerospike's rack-id. It names the StatefulSet and must not change
	// once the rack holds data.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000000
	ID int32 `json:"id"`

	// Zone pins the rack's pods to nodes labelled
	// topology.kubernetes.io/zone=<zone>.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Zone string `json:"zone,omitempty"`

	// NodeSelector adds node labels the rack's pods require, on top of
	// spec.placement.nodeSelector.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`

	// Tolerations added to the rack's pods, on top of
	// spec.placement.tolerations.
	// +optional
	// +listType=atomic
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`
}

// Namespace is an Aerospike namespace.
type Namespace struct {
	// Name of the namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=31
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_-]+$`
	Name string `json:"name"`

	// ReplicationFactor is how many copies of each record the cluster keeps.
	// Defaults to 2, or 1 on a single-node database.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=256
	ReplicationFactor int32 `json:"replicationFactor,omitempty"`

	// Storage of the namespace's records.
	Storage NamespaceStorage `json:"storage"`

	// DefaultTTL is how long a record lives when the writer gives no TTL;
	// 0 means forever. A non-zero TTL needs the namespace supervisor, so
	// nsupPeriod defaults to 120s when this is set.
	// +optional
	DefaultTTL Duration `json:"defaultTTL,omitempty"`

	// NsupPeriod is how often the namespace supervisor removes expired
	// records; 0 disables it.
	// +optional
	NsupPeriod Duration `json:"nsupPeriod,omitempty"`
}

// NamespaceStorage is where a namespace keeps its records.
//
// +kubebuilder:validation:XValidation:rule="self.type != 'memory' || !has(self.storageClassName)",message="storageClassName applies to device and file storage only"
type NamespaceStorage struct {
	// Type of storage: memory, device (a raw block volume) or file (a file
	// on a filesystem volume).
	Type StorageType `json:"type"`

	// Size is the memory (for memory) or the volume (for device and file)
	// each node gives the namespace.
	Size resource.Quantity `json:"size"`

	// StorageClassName of the volumes for device and file storage. The
	// cluster's default class is used when it is not set.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	StorageClassName *string `json:"storageClassName,omitempty"`
}

// Placement constrains where the pods run.
type Placement struct {
	// NodeSelector is node labels every pod requires.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`

	// Tolerations of every pod.
	// +optional
	// +listType=atomic
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`

	// Affinity of every pod, merged with the zone affinity of its rack and
	// the anti-affinity that keeps two nodes of the database off one host.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`

	// MultiPodPerHost allows two nodes of the database on one Kubernetes
	// node. Off by default: a host failure would take several replicas.
	// +optional
	MultiPodPerHost bool `json:"multiPodPerHost,omitempty"`
}

// ClientService configures the Service applications connect to.
type ClientService struct {
	// Type of the Service.
	// +optional
	// +kubebuilder:default=ClusterIP
	// +kubebuilder:validation:Enum=ClusterIP;NodePort;LoadBalancer
	Type corev1.ServiceType `json:"type,omitempty"`

	// Annotations of the Service, for example a cloud load balancer's.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
}

// ExternalAccessType is the type of the per-node Services of external
// access.
// +kubebuilder:validation:Enum=LoadBalancer;NodePort
type ExternalAccessType string

// External access types.
const (
	// ExternalAccessLoadBalancer gives every node a load balancer of its
	// own; the node advertises the load balancer's ingress IP or host name
	// and port 3000.
	ExternalAccessLoadBalancer ExternalAccessType = "LoadBalancer"
	// ExternalAccessNodePort gives every node a node port of its own; the
	// node advertises the IP of the Kubernetes node it runs on (the pod's
	// status.hostIP) and its node port, so clients must reach the nodes'
	// IPs.
	ExternalAccessNodePort ExternalAccessType = "NodePort"
)

// ExternalAccess makes every node reachable from outside the Kubernetes
// cluster through a Service of its own.
type ExternalAccess struct {
	// Type of the per-node Services: LoadBalancer (a cloud load balancer
	// per node) or NodePort (the node's host IP and a node port).
	Type ExternalAccessType `json:"type"`

	// Annotations of every per-node Service, for example a cloud load
	// balancer's (internal or internet-facing, network load balancer).
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
}

// AccessControl declares roles and users. Enterprise Edition only.
//
// +kubebuilder:validation:XValidation:rule="!has(self.applicationUser) || (has(self.users) && self.users.exists(u, u.name == self.applicationUser))",message="applicationUser must name one of the users"
type AccessControl struct {
	// AdminSecretRef names the Secret (keys username and password) of the
	// user the provider logs in with to manage users and roles. It needs
	// the user-admin role. A new cluster's only user is admin with the
	// password admin.
	AdminSecretRef AdminSecretRef `json:"adminSecretRef"`

	// ApplicationUser names the user whose credentials the database's
	// connection Secret carries, next to the hosts and port.
	// +optional
	ApplicationUser string `json:"applicationUser,omitempty"`

	// Roles to create, in addition to Aerospike's predefined roles.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=256
	Roles []Role `json:"roles,omitempty"`

	// Users to create.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=1024
	Users []User `json:"users,omitempty"`
}

// AdminSecretRef selects a user name and password in a Secret of the
// database's namespace.
type AdminSecretRef struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// UsernameKey is the key holding the user name.
	// +optional
	// +kubebuilder:default=username
	UsernameKey string `json:"usernameKey,omitempty"`

	// PasswordKey is the key holding the password.
	// +optional
	// +kubebuilder:default=password
	PasswordKey string `json:"passwordKey,omitempty"`
}

// Role is a named set of privileges.
type Role struct {
	// Name of the role.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Name string `json:"name"`

	// Privileges the role grants.
	// +listType=atomic
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=128
	Privileges []Privilege `json:"privileges"`

	// Whitelist is the client addresses or CIDRs the role may connect from;
	// empty allows all.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	Whitelist []string `json:"whitelist,omitempty"`

	// ReadQuota is the most reads per second the role allows; 0 is no limit.
	// +optional
	// +kubebuilder:validation:Minimum=0
	ReadQuota int32 `json:"readQuota,omitempty"`

	// WriteQuota is the most writes per second the role allows; 0 is no
	// limit.
	// +optional
	// +kubebuilder:validation:Minimum=0
	WriteQuota int32 `json:"writeQuota,omitempty"`
}

// Privilege grants one privilege code, optionally scoped to a namespace and
// set.
//
// +kubebuilder:validation:XValidation:rule="!has(self.set) || has(self.namespace)",message="a privilege scoped to a set also needs its namespace"
type Privilege struct {
	// Code of the privilege.
	Code PrivilegeCode `json:"code"`

	// Namespace the privilege is limited to; empty means every namespace.
	// +optional
	// +kubebuilder:validation:MaxLength=31
	Namespace string `json:"namespace,omitempty"`

	// Set the privilege is limited to within the namespace.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Set string `json:"set,omitempty"`
}

// User is a database user.
type User struct {
	// Name of the user.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Name string `json:"name"`

	// Roles granted to the user: roles declared here or Aerospike's
	// predefined ones.
	// +listType=set
	// +kubebuilder:validation:MaxItems=256
	Roles []string `json:"roles"`

	// PasswordSecretRef names the Secret holding the user's password. The key
	// defaults to "password".
	PasswordSecretRef SecretKeyRef `json:"passwordSecretRef"`
}

// NetworkPolicy of the database's pods.
type NetworkPolicy struct {
	// Enabled composes the NetworkPolicy. It takes effect only where the
	// cluster's network plugin enforces NetworkPolicies.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// ClientNamespaces may reach the client port besides the database's own
	// namespace.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MaxLength=63
	// +kubebuilder:validation:items:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	ClientNamespaces []string `json:"clientNamespaces,omitempty"`
}

// PodSecurity says who the database's containers run as.
type PodSecurity struct {
	// RunAsNonRoot runs every container as RunAsUser instead of the
	// image's user, root; the pod's fsGroup makes the volumes writable for
	// it. Device storage also needs a container runtime that hands block
	// devices to the pod's user (containerd's
	// device_ownership_from_security_context). Changing it restarts the
	// nodes one at a time.
	// +optional
	RunAsNonRoot bool `json:"runAsNonRoot,omitempty"`

	// RunAsUser is the user and group ID the containers run as, and the
	// volumes' group, with RunAsNonRoot. Defaults to 65532.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=2147483647
	RunAsUser *int64 `json:"runAsUser,omitempty"`
}

// TLS settings of the cluster.
type TLS struct {
	// SecretName names a Secret in the database's namespace holding every
	// node's certificate as cert-manager writes it: tls.crt, tls.key and
	// ca.crt. The certificate must carry Name as a DNS name; clients and
	// peers verify it.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	SecretName string `json:"secretName"`

	// Name is the TLS name clients and peers expect in the certificate.
	// Defaults to the database's name.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`
	Name string `json:"name,omitempty"`

	// ClientAuthentication says whether clients on the TLS port must show
	// a certificate the CA in the Secret signed (Required), or may connect
	// with server authentication only (None).
	// +optional
	// +kubebuilder:default=None
	// +kubebuilder:validation:Enum=None;Required
	ClientAuthentication string `json:"clientAuthentication,omitempty"`

	// Fabric encrypts the replication traffic between nodes. It cannot
	// change on a running cluster: nodes with and without it cannot talk.
	// +optional
	Fabric bool `json:"fabric,omitempty"`

	// Heartbeat encrypts the cluster membership traffic between nodes. It
	// cannot change on a running cluster: nodes with and without it cannot
	// talk.
	// +optional
	Heartbeat bool `json:"heartbeat,omitempty"`
}

// Monitoring of the cluster.
type Monitoring struct {
	// Enabled adds the Aerospike Prometheus exporter next to every node, a
	// metrics Service, a Grafana dashboard ConfigMap and, where the platform
	// runs the Prometheus Operator, a ServiceMonitor.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// ExporterUser names the user of spec.accessControl.users the exporter
	// logs in as; its password reaches the exporter from the user's Secret,
	// never inline. Required with access control: give the user a role
	// that may read statistics (the predefined read role).
	// +optional
	// +kubebuilder:validation:MaxLength=63
	ExporterUser string `json:"exporterUser,omitempty"`

	// ServiceMonitorLabels are added to the ServiceMonitor, for a
	// Prometheus that selects ServiceMonitors by label (for example
	// release: kube-prometheus-stack).
	// +optional
	// +kubebuilder:validation:MaxProperties=32
	ServiceMonitorLabels map[string]string `json:"serviceMonitorLabels,omitempty"`

	// ScrapeInterval is how often Prometheus scrapes the exporter, such as
	// 30s. Defaults to the Prometheus's own interval.
	// +optional
	// +kubebuilder:validation:Pattern=`^(0|(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$`
	ScrapeInterval string `json:"scrapeInterval,omitempty"`
}

// PersistentVolumeClaimRetentionPolicy says what happens to data volumes.
type PersistentVolumeClaimRetentionPolicy struct {
	// WhenDeleted applies when the database is deleted.
	// +optional
	// +kubebuilder:default=Retain
	// +kubebuilder:validation:Enum=Retain;Delete
	WhenDeleted string `json:"whenDeleted,omitempty"`

	// WhenScaled applies to the volumes of nodes removed by a scale-down.
	// +optional
	// +kubebuilder:default=Retain
	// +kubebuilder:validation:Enum=Retain;Delete
	WhenScaled string `json:"whenScaled,omitempty"`
}

// AerospikeDatabaseStatus is what the cluster looks like now.
type AerospikeDatabaseStatus struct {
	xpv2.ConditionedStatus `json:",inline"`

	// DesiredNodes is the number of nodes asked for.
	// +optional
	DesiredNodes int32 `json:"desiredNodes"`

	// ReadyNodes is the number of nodes ready to serve. During a rolling
	// update only nodes already updated count.
	// +optional
	ReadyNodes int32 `json:"readyNodes"`

	// Version of the server every node runs; during an upgrade it stays at
	// the old version until every node runs the new one.
	// +optional
	Version string `json:"version,omitempty"`

	// Endpoint is the host:port applications connect to.
	// +optional
	Endpoint string `json:"endpoint,omitempty"`

	// ConnectionSecretName is the Secret in this namespace that tells
	// applications how to connect.
	// +optional
	ConnectionSecretName string `json:"connectionSecretName,omitempty"`

	// ExternalSeeds are the nodes' external addresses as host:port, for
	// clients outside the Kubernetes cluster, once their load balancers
	// have them; the connection Secret carries them as
	// AEROSPIKE_EXTERNAL_SEEDS. Empty without spec.externalAccess and
	// with type NodePort, whose addresses are the Kubernetes nodes' IPs.
	// +optional
	// +listType=atomic
	ExternalSeeds []string `json:"externalSeeds,omitempty"`

	// Waiting says what the next day-2 step (removing a node, restarting a
	// pod) waits for; empty when the database runs as its spec asks.
	// +optional
	// +listType=atomic
	Waiting []string `json:"waiting,omitempty"`

	// LastStepClusterTime is the time of the cluster status observation the
	// last day-2 step relied on; the next step waits for a newer one.
	// +optional
	LastStepClusterTime *metav1.Time `json:"lastStepClusterTime,omitempty"`

	// Selector selects the database's pods, for autoscalers reading the
	// scale subresource.
	// +optional
	Selector string `json:"selector,omitempty"`

	// Racks reports each rack's nodes.
	// +optional
	// +listType=map
	// +listMapKey=id
	Racks []RackStatus `json:"racks,omitempty"`
}

// RackStatus reports one rack.
type RackStatus struct {
	// ID of the rack; 0 when the database declares no racks.
	ID int32 `json:"id"`

	// StatefulSet running the rack's nodes.
	StatefulSet string `json:"statefulSet"`

	// DesiredNodes of the rack.
	DesiredNodes int32 `json:"desiredNodes"`

	// ReadyNodes of the rack that run the desired configuration.
	ReadyNodes int32 `json:"readyNodes"`
}

// An AerospikeDatabase is an Aerospike cluster.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Namespaced,categories={aerospike}
// +kubebuilder:subresource:status
// +kubebuilder:subresource:scale:specpath=.spec.size,statuspath=.status.readyNodes,selectorpath=.status.selector
// +kubebuilder:printcolumn:name="NODES",type="integer",JSONPath=".spec.size"
// +kubebuilder:printcolumn:name="READY-NODES",type="integer",JSONPath=".status.readyNodes"
// +kubebuilder:printcolumn:name="VERSION",type="string",JSONPath=".status.version"
// +kubebuilder:printcolumn:name="ENDPOINT",type="string",JSONPath=".status.endpoint",priority=1
type AerospikeDatabase struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   AerospikeDatabaseSpec   `json:"spec"`
	Status AerospikeDatabaseStatus `json:"status,omitempty"`
}

// AerospikeDatabaseList is a list of AerospikeDatabases.
//
// +kubebuilder:object:root=true
type AerospikeDatabaseList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`

	Items []AerospikeDatabase `json:"items"`
}
