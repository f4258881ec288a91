// A stand-in for the contrib pkg/translator/splunk module, whose releases matching the HEC
// receiver are not served by the module proxy this project can reach: only the HEC event type
// the splunkhecreceiver decodes into, written for Tripline's tests (builder `replaces`).
module github.com/open-telemetry/opentelemetry-collector-contrib/pkg/translator/splunk

go 1.25.0
