package database

import "strconv"

// PodName returns the name of a rack's pod: its StatefulSet's name and the
// pod's ordinal.
func (d *Database) PodName(r Rack, ordinal int32) string {
	return r.StatefulSet + "-" + strconv.Itoa(int(ordinal))
}
