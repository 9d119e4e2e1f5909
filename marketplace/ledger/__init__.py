"""The sales ledger: one append-only row per unit line sold (online or, later, in a showroom) and one
reversing row per refund. Reports read only this ledger.
"""
