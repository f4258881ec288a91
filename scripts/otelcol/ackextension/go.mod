// A stand-in for the contrib ackextension module (its releases that match the HEC receiver are
// not served by the module proxy this project can reach). Written for Tripline's tests; it keeps
// the same import path so the unmodified splunkhecreceiver links against it (builder `replaces`).
module github.com/open-telemetry/opentelemetry-collector-contrib/extension/ackextension

go 1.25.0

require (
	go.opentelemetry.io/collector/component v1.67.0
	go.opentelemetry.io/collector/extension v1.67.0
)
