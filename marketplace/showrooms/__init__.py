"""Hanoi OCOP showrooms ("điểm giới thiệu và bán sản phẩm OCOP") and the goods consigned to them.

Owns: the Showroom (address, hours, phone, map point, commission rate, and the stock Location of kind
showroom that holds its goods), its staff (membership with a manager or clerk role, invitations), lots
(product, lot code, best-before) and the showroom stock kept per lot, consignment deliveries from producers
and returns to them (a small state machine with an event row), stock counts, and the FEFO choice of lots.

Does not own: the stock level of each product at a location and its movement rows (stock.services writes
them; lots.py calls it in the same transaction so a showroom's StockLevel always equals the sum of its
lots), products (catalog), producers, user accounts. Point-of-sale sales, the day's close and showroom
settlements come later and will live here too, writing the ledger through ledger.services.
"""
