// Package splunk decodes Splunk HEC event-endpoint envelopes.
package splunk

import "strings"

// Event is one envelope: {"time":..,"host":..,"source":..,"sourcetype":..,"index":..,
// "event":..,"fields":{..}}. Time is epoch seconds (fractions allowed).
type Event struct {
	Time       float64        `json:"time,omitempty"`
	Host       string         `json:"host"`
	Source     string         `json:"source,omitempty"`
	SourceType string         `json:"sourcetype,omitempty"`
	Index      string         `json:"index,omitempty"`
	Event      any            `json:"event"`
	Fields     map[string]any `json:"fields,omitempty"`
}

const metricPrefix = "metric_name:"

// IsMetric tells a metric envelope (event "metric", or no event and metric_name:* fields) from
// a log event.
func (e *Event) IsMetric() bool {
	if e.Event == "metric" {
		return true
	}
	if e.Event != nil {
		return false
	}
	for k := range e.Fields {
		if strings.HasPrefix(k, metricPrefix) {
			return true
		}
	}
	return false
}

// GetMetricValues maps each metric name (without the prefix) to its value.
func (e *Event) GetMetricValues() map[string]any {
	values := map[string]any{}
	for k, v := range e.Fields {
		if strings.HasPrefix(k, metricPrefix) {
			values[k[len(metricPrefix):]] = v
		}
	}
	return values
}

// HecToOtelAttrs names the resource attributes the HEC metadata is copied into.
type HecToOtelAttrs struct {
	Source     string `mapstructure:"source"`
	SourceType string `mapstructure:"sourcetype"`
	Index      string `mapstructure:"index"`
	Host       string `mapstructure:"host"`
}
