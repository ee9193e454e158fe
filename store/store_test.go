package store_test

import (
	"context"
	"testing"

	"github.com/fundtracker/fundtracker/seed"
	"github.com/fundtracker/fundtracker/store/storetest"
)

func TestSeedIsIdempotent(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := seed.Demo(ctx, s); err != nil {
			t.Fatalf("seed run %d: %v", i+1, err)
		}
	}
	p, err := s.Progress(ctx, seed.FundCode, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.ContributionCount != 7 || p.FirstContribution == nil || p.FirstContribution.Donor != "Kingdom of Morocco" ||
		p.FirstContribution.ReceivedOn != "2024-07-29" {
		t.Fatalf("after two seeds: %+v", p)
	}
}
