package models

// Acknowledgement states of a contribution: whether the donor has been
// thanked (a letter and receipt sent), is still to be, or asked not to be.
const (
	AckToBeAcknowledged = "to_be_acknowledged"
	AckAcknowledged     = "acknowledged"
	AckDoNotAcknowledge = "do_not_acknowledge"
)

// Acknowledgements lists the acknowledgement states.
var Acknowledgements = []string{AckToBeAcknowledged, AckAcknowledged, AckDoNotAcknowledge}

// AcknowledgeInput is the body of POST /contributions/{id}/acknowledge.
type AcknowledgeInput struct {
	Acknowledgement string    `json:"acknowledgement"`
	AcknowledgedOn  DateInput `json:"acknowledged_on"`
}

// Validate returns the state and date to record: acknowledged_on defaults to
// today for "acknowledged", must not be in the future, and is null for the
// other states.
func (in AcknowledgeInput) Validate(today Date) (string, Date, error) {
	p := Problems{}
	state := OneOf("acknowledgement", in.Acknowledgement, "", Acknowledgements, p)
	on := in.AcknowledgedOn.Optional("acknowledged_on", p)
	switch {
	case state == AckAcknowledged && !in.AcknowledgedOn.Set:
		on = today
	case state != AckAcknowledged && on != "":
		p.Add("acknowledged_on", "must be null unless acknowledgement is acknowledged")
	case on > today:
		p.Add("acknowledged_on", "must not be in the future (today is "+string(today)+" UTC)")
	}
	if state != AckAcknowledged {
		on = ""
	}
	return state, on, p.Err()
}
