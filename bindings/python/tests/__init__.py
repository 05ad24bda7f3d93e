# SPDX-License-Identifier: Apache-2.0
"""Tests of the matrix_core Python binding (unittest; see ../README.md)."""
