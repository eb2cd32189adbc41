"""The economics: timeline, prices, bitcoin, hourly energy, finance, cash flow, KPIs, goal seek."""
