// Package splunk holds the Splunk HEC names the splunkhecreceiver refers to.
package splunk

const (
	// Resource attributes the HEC metadata is copied into.
	DefaultSourceLabel     = "com.splunk.source"
	DefaultSourceTypeLabel = "com.splunk.sourcetype"
	DefaultIndexLabel      = "com.splunk.index"
	HecTokenLabel          = "com.splunk.hec.access_token"
	// "Authorization: Splunk <token>".
	HECTokenHeader          = "Splunk"
	HTTPSplunkChannelHeader = "X-Splunk-Request-Channel"
	DefaultRawPath          = "/services/collector/raw"
	DefaultHealthPath       = "/services/collector/health"
	DefaultAckPath          = "/services/collector/ack"
)

// AccessTokenPassthroughConfig: copy the request's HEC token into a resource attribute.
type AccessTokenPassthroughConfig struct {
	AccessTokenPassthrough bool `mapstructure:"access_token_passthrough"`
}

// AckRequest is the body of POST /services/collector/ack: {"acks":[0,1,2]}.
type AckRequest struct {
	Acks []uint64 `json:"acks"`
}
