package kubelet

import (
	"context"
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"
	"sync"

	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xp-aerospike/xp-aerospike/test/aerospike"
)

// The standard ports every pod listens on at its own address.
const (
	servicePort   = 3000
	heartbeatPort = 3002
	adminPort     = 3008
)

// checkedPorts must be free at an address before a pod takes it: the
// standard ports 3000-3003 (3003 was the info port).
var checkedPorts = []int{3000, 3001, 3002, 3003}

// Fabric ports are one per pod: asd derives its node ID from the
// machine's MAC address and its fabric port, and nodes of one ID refuse
// each other as duplicates, so pods on one machine cannot share 3001. They
// are drawn from below Linux's ephemeral range, where no outgoing
// connection takes them.
const (
	fabricMin = 20000
	fabricMax = 32000
)

// slotAttempts bounds the search for an address whose ports are free.
const slotAttempts = 50

// A slot is where a pod listens: its address and its fabric port. It is
// the pod's for the life of the kubelet, so that the mesh seeds of the
// configs already written keep naming it.
type slot struct {
	addr   netip.Addr
	fabric int
	// used is set once a server started on it; until then the kubelet
	// may move the pod to another slot whose ports are free.
	used bool
}

func (s *slot) ports() aerospike.Ports {
	return aerospike.Ports{Service: servicePort, Fabric: s.fabric, Heartbeat: heartbeatPort, Admin: adminPort}
}

// handedOut holds the slots of every kubelet of the process, so that two
// kubelets never give out one address or fabric port. Other processes
// draw other addresses at random, and a taken port is caught by
// claimSlot's check.
var handedOut = struct {
	sync.Mutex
	addrs  map[netip.Addr]bool
	fabric map[int]bool
}{addrs: map[netip.Addr]bool{}, fabric: map[int]bool{}}

// newSlot draws an address of 127.0.0.0/8, outside 127.0.0.0/16 where
// other programs listen, and a fabric port, neither handed out before.
func newSlot() *slot {
	handedOut.Lock()
	defer handedOut.Unlock()
	s := &slot{}
	for {
		s.addr = netip.AddrFrom4([4]byte{127, byte(1 + rand.IntN(254)), byte(rand.IntN(256)), byte(1 + rand.IntN(254))}) //nolint:gosec // Each IntN is below 256.
		if !handedOut.addrs[s.addr] {
			handedOut.addrs[s.addr] = true
			break
		}
	}
	for {
		s.fabric = fabricMin + rand.IntN(fabricMax-fabricMin)
		if !handedOut.fabric[s.fabric] {
			handedOut.fabric[s.fabric] = true
			break
		}
	}
	return s
}

// slot returns a pod's slot, drawing one the first time the pod or a mesh
// seed naming it asks. k.mu is held.
func (k *Kubelet) slot(key types.NamespacedName) *slot {
	s := k.slots[key]
	if s == nil {
		s = newSlot()
		k.slots[key] = s
	}
	return s
}

// claimSlot returns the slot a pod's server starts on. Before the first
// start its ports must be free; otherwise the pod moves to another slot
// (what already names the old one only loses a seed: the pod seeds its
// peers itself).
func (k *Kubelet) claimSlot(key types.NamespacedName) (*slot, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for range slotAttempts {
		s := k.slot(key)
		if s.used || s.free() {
			s.used = true
			return s, nil
		}
		k.slots[key] = newSlot()
	}
	return nil, errors.Errorf("cannot find an address of 127.0.0.0/8 with free ports for pod %s in %d attempts", key, slotAttempts)
}

// free reports whether the slot's ports can be listened on now.
func (s *slot) free() bool {
	for _, p := range append(checkedPorts, s.fabric) {
		l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", net.JoinHostPort(s.addr.String(), strconv.Itoa(p)))
		if err != nil {
			return false
		}
		_ = l.Close()
	}
	return true
}
