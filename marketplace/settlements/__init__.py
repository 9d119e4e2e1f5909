"""Money owed to producers: statements per producer and period, computed from the sales ledger.

A statement links every ledger entry it settles (StatementEntry, unique per entry), so no sale or refund
is ever settled twice; entries written after a period was settled (late refunds, late showroom uploads)
are picked up by the producer's next statement. These statements settle the online channel only: showroom
till sales are settled at the showroom's own commission rate, which is not built yet (issue 10), so they
wait in the ledger. Settlements never write the ledger.
"""
