"""Story grouping on Apache Spark, for corpora that outgrow one machine.

``spark_stories`` runs the from-scratch grouping of ``group.block`` across a
cluster: the same features, blocks and per-block clustering as
``storydiff stories --rebuild``, so both give the same stories.
"""

from .job import SparkReport, spark_stories
from .session import spark_session

__all__ = ["SparkReport", "spark_session", "spark_stories"]
