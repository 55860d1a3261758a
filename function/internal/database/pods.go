package database

import "strconv"

// PodName returns the name of a rack's pod: its StatefulSet's name and the
// pod's ordinal.
func (d *Database) PodName(r Rack, ordinal int32) string {
	return r.StatefulSet + "-" + strconv.Itoa(int(ordinal))
}

// ExternalPort is the client port external access exposes, by its
// container port name: the TLS port when the database has TLS (its
// applications reach only that one), the plain port otherwise.
func (d *Database) ExternalPort() (string, int32) {
	if d.TLS() {
		return "tls-service", TLSServicePort
	}
	return "service", ServicePort
}
