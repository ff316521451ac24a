"""ecrm_methods: soft-computing methods for analytical e-commerce CRM.

Four algorithm families (neural networks, genetic algorithms, rough sets,
fuzzy sets) applied to five eCRM problems (customer segmentation, churn and
retention, customer value, customer satisfaction, campaign response) on public e-commerce
data.
"""

__version__ = "0.1.0"
