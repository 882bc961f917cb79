"""The evaluation report: metric definitions, their MySQL reads, the chart and workbook, the digest."""
