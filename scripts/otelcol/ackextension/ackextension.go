// Package ackextension keeps Splunk HEC indexer-acknowledgement state for the splunkhecreceiver:
// per channel, the ids handed out for accepted requests and which of them are acknowledged.
//
// Semantics (Splunk's): ids per channel start at 0 and increase; the receiver calls ProcessEvent
// when it accepts a request and Ack once the pipeline took it; QueryAcks answers true for an
// acknowledged id and then forgets it, false for anything else (pending, unknown, forgotten).
// State is in memory only, so a restarted collector answers false for every old id and starts
// its ids at 0 again, as a restarted Splunk indexer may.
package ackextension

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"
)

// AckExtension is what the splunkhecreceiver looks up by the id in its `ack.extension` setting.
type AckExtension interface {
	extension.Extension
	// ProcessEvent returns the next ack id of the channel.
	ProcessEvent(partitionID string) uint64
	// Ack marks an id of the channel as acknowledged.
	Ack(partitionID string, ackID uint64)
	// QueryAcks reports each id's state; acknowledged ids are forgotten once reported.
	QueryAcks(partitionID string, ackIDs []uint64) map[uint64]bool
}

// Config bounds the memory: channels kept, and acknowledged ids kept per channel (the oldest
// are forgotten first, and then answer false, which makes a client resend).
type Config struct {
	MaxNumberOfPartition       int `mapstructure:"max_number_of_partition"`
	MaxNumberOfAckPerPartition int `mapstructure:"max_number_of_ack_per_partition"`
}

type channel struct {
	next  uint64
	acked map[uint64]struct{}
	order []uint64 // acknowledged ids, oldest first, for eviction
}

type acks struct {
	component.StartFunc
	component.ShutdownFunc
	cfg      Config
	mu       sync.Mutex
	channels map[string]*channel
	lru      []string // channels, oldest first
}

func (a *acks) channel(id string) *channel {
	if c, ok := a.channels[id]; ok {
		return c
	}
	if len(a.channels) >= a.cfg.MaxNumberOfPartition && len(a.lru) > 0 {
		delete(a.channels, a.lru[0])
		a.lru = a.lru[1:]
	}
	c := &channel{acked: map[uint64]struct{}{}}
	a.channels[id] = c
	a.lru = append(a.lru, id)
	return c
}

func (a *acks) ProcessEvent(partitionID string) uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.channel(partitionID)
	id := c.next
	c.next++
	return id
}

func (a *acks) Ack(partitionID string, ackID uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.channel(partitionID)
	if _, ok := c.acked[ackID]; ok {
		return
	}
	c.acked[ackID] = struct{}{}
	c.order = append(c.order, ackID)
	for len(c.order) > a.cfg.MaxNumberOfAckPerPartition {
		delete(c.acked, c.order[0])
		c.order = c.order[1:]
	}
}

func (a *acks) QueryAcks(partitionID string, ackIDs []uint64) map[uint64]bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[uint64]bool, len(ackIDs))
	c, ok := a.channels[partitionID]
	for _, id := range ackIDs {
		if !ok {
			out[id] = false
			continue
		}
		_, done := c.acked[id]
		out[id] = done
		delete(c.acked, id) // order keeps a stale entry; eviction of it is harmless
	}
	return out
}

// NewFactory is what the builder registers under the type "ack".
func NewFactory() extension.Factory {
	return extension.NewFactory(
		component.MustNewType("ack"),
		func() component.Config {
			return &Config{MaxNumberOfPartition: 1000, MaxNumberOfAckPerPartition: 100000}
		},
		func(_ context.Context, _ extension.Settings, cfg component.Config) (extension.Extension, error) {
			return &acks{cfg: *cfg.(*Config), channels: map[string]*channel{}}, nil
		},
		component.StabilityLevelDevelopment,
	)
}
