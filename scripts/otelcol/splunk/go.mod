// A stand-in for the contrib internal/splunk module, whose releases matching the HEC receiver are
// not served by the module proxy this project can reach: only the names the splunkhecreceiver
// uses, written for Tripline's tests (builder `replaces`).
module github.com/open-telemetry/opentelemetry-collector-contrib/internal/splunk

go 1.25.0
