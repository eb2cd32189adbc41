"""The input panels on the left: fields bound to the project, strategies and blocks, price
import."""
