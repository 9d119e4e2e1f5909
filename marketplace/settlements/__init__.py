"""Money owed to producers: one statement per producer and period, over every sales channel, computed from
the sales ledger.

One statement for all channels, not one per channel. A producer sells online, through linkage orders and in
several showrooms at once, and what it wants to know at the end of the month is one thing: who owes it how
much. One statement per channel would give it three or four documents for one period, each with its own
balance, its own status and its own gaps (a return at a till in one, the commission on cash on delivery in
another), and nothing on any of them would add up to what it is owed. So a statement has a section per
channel, per showroom and per collector (who received the buyer's money: OCOP Market for online payments,
the showroom for its till, the producer itself for cash on delivery), each with units per product, gross,
commission at that section's rate (OCOP Market's rate for online and linkage, the showroom's own
commission rate for a showroom) and the amount due, saying who pays it; the statement totals them into one
balance with OCOP Market and one per showroom. A showroom manager sees the same statements cut to their
showroom's sections: what their showroom owes each producer. There is one settlement machinery, one
"settled once" guarantee and one place where the arithmetic is done.

A statement links every ledger entry it settles (StatementEntry, unique per entry), so no sale or refund
is ever settled twice; entries written after a period was settled (late refunds, a till return, a sale a
till queued offline) are picked up by the producer's next statement, and a void statement releases its
entries to the next one. Settlements never write the ledger.
"""
