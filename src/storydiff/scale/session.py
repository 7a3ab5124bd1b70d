"""A SparkSession for storydiff jobs: local by default, any master by name."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

LOCAL_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseParallelGC"


def spark_session(master: str = "local[*]", conf: Mapping[str, str] | None = None, app: str = "storydiff") -> Any:
    """Start (or reuse) a SparkSession.

    For a local master the driver binds to 127.0.0.1 unless ``SPARK_LOCAL_IP``
    says otherwise (a machine whose host name does not resolve otherwise
    waits on DNS at start), and Python workers run this interpreter, so they
    import the same storydiff. Under ``spark-submit``, its ``--master`` and
    Python settings are used instead.
    """
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app)
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        # Not under spark-submit (which starts the JVM first and passes its
        # port): the master is ours to set. Under spark-submit, its --master wins.
        builder = builder.master(master)
    defaults = {
        "spark.ui.showConsoleProgress": "false",
        # Stories are few and large next to rows: fewer shuffle partitions than Spark's 200.
        "spark.sql.shuffle.partitions": "16",
        # A local master runs the executors in the driver's JVM, which holds the persisted
        # article frames and shuffle buffers: Spark's 1g ran out at 100k articles.
        "spark.driver.memory": "4g",
    }
    if master.startswith("local"):
        # The executors are the driver's JVM, in a run of minutes that mostly moves bytes: C2's
        # compiling and G1's concurrent marking were 20 of its 48 CPU seconds at 100k articles on
        # one core, time taken from the Python workers. A cluster's executors keep their own settings.
        defaults["spark.driver.extraJavaOptions"] = LOCAL_JVM_OPTIONS
    for key, value in {**defaults, **(conf or {})}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
