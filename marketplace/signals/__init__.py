"""Demand signals: what buyers look for and do not find (searches with no result, most-wanted requests, products often
out of stock, products added to carts but not bought), for the program office and for each producer."""
