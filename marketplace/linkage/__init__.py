"""Supply-demand linkage ("kết nối cung - cầu"): buyers' demand requests, matching producers, offers, and the
linkages agreed (which can become marketplace orders on the ledger's "linkage" channel)."""
