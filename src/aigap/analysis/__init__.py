"""Analyses built on the warehouse and the index: diagnosis, uncertainty, targets, strategy.

They compute; they neither draw nor print (see :mod:`aigap.present`).
"""
