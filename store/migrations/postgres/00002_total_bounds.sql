-- +goose Up
-- Every USD total stays below 10^15 USD (10^17 cents). The write path checks
-- this when it decides (models.CheckTotals, on the totals it loaded); on
-- PostgreSQL, where writers of one fund run at once, these constraints are the
-- backstop for two writes that each saw the other's total before it committed.
ALTER TABLE fund_totals ADD CONSTRAINT fund_totals_below_1e15 CHECK (paid_cents < 100000000000000000
    AND outstanding_cents < 100000000000000000 AND paid_cents + outstanding_cents < 100000000000000000);
ALTER TABLE fund_donor_totals ADD CONSTRAINT fund_donor_totals_below_1e15 CHECK (paid_cents < 100000000000000000
    AND outstanding_cents < 100000000000000000 AND paid_cents + outstanding_cents < 100000000000000000);
ALTER TABLE fund_currency_totals ADD CONSTRAINT fund_currency_totals_below_1e15 CHECK (paid_cents < 100000000000000000
    AND outstanding_cents < 100000000000000000 AND paid_cents + outstanding_cents < 100000000000000000);

-- +goose Down
ALTER TABLE fund_currency_totals DROP CONSTRAINT fund_currency_totals_below_1e15;
ALTER TABLE fund_donor_totals DROP CONSTRAINT fund_donor_totals_below_1e15;
ALTER TABLE fund_totals DROP CONSTRAINT fund_totals_below_1e15;
