# Reference numbers for sga_methods.trends.seasonal_decompose, from R's stats::stl.
#
# Series: (1) the synthetic demo district's police-recorded crimes summed by month
# (data/synthetic/tashkent-chilanzar/police_monthly.csv.gz, 2015-01 to 2024-12, 120 months);
# (2) a deterministic series written out below (trend + seasonal + a wiggle + one outlier),
# stored in the JSON as `y`. Run from the repository root:
#   Rscript tests/results/stl_series.R
# Writes tests/results/stl_series.json. Each case records the R call that produced it and the
# matching Python call (keyword arguments of seasonal_decompose): R's defaults differ from
# statsmodels' (s.degree = 0, jumps of ceiling(window / 10), inner = 2, or 1 when robust), so
# the Python side passes them; R's robust = TRUE is `stl_robust=True`, and `robust=False`
# turns off seasonal_decompose's own replacement of anomalies (a single STL fit, as R).
suppressPackageStartupMessages(library(jsonlite))

d <- read.csv(gzfile("data/synthetic/tashkent-chilanzar/police_monthly.csv.gz"),
              colClasses = c(month = "character", iccs = "character"))
monthly <- tapply(d$crimes, d$month, sum)
police <- ts(as.numeric(monthly), start = c(2015, 1), frequency = 12)
stopifnot(length(police) == 120, names(monthly)[1] == "2015-01", names(monthly)[120] == "2024-12")

t <- 0:95
wiggle <- 100 + 0.2 * t + 12 * cos(2 * pi * (t %% 12 - 6) / 12) + 3 * sin(1.7 * t) + 2 * cos(0.9 * t)
wiggle[41] <- wiggle[41] + 40  # 1-based: the 41st month (index 40 in Python)
wiggle <- ts(wiggle, frequency = 12)

nextodd <- function(x) { x <- round(x); if (x %% 2 == 0) x + 1 else x }
cases <- list()
for (spec in list(list("police", police, 13, FALSE), list("police", police, 13, TRUE),
                  list("police", police, 7, FALSE), list("police", police, 7, TRUE),
                  list("wiggle", wiggle, 7, FALSE), list("wiggle", wiggle, 7, TRUE),
                  list("wiggle", wiggle, 11, TRUE))) {
  name <- spec[[1]]; x <- spec[[2]]; sw <- spec[[3]]; robust <- spec[[4]]
  period <- frequency(x)
  # R's defaults, written out so that the Python side can pass the same values
  tw <- nextodd(ceiling(1.5 * period / (1 - 1.5 / sw)))
  lw <- nextodd(period)
  inner <- if (robust) 1L else 2L
  outer <- if (robust) 15L else 0L
  fit <- stl(x, s.window = sw, robust = robust)
  stopifnot(fit$win[["t"]] == tw, fit$win[["l"]] == lw, fit$deg[["s"]] == 0)
  ts_ <- fit$time.series
  cases[[length(cases) + 1]] <- list(
    name = sprintf("%s s.window=%d robust=%s", name, sw, robust),
    series = name,
    call = sprintf("stl(%s, s.window = %d, robust = %s)", name, sw, robust),
    python = list(period = period, seasonal = sw, trend = tw, robust = FALSE, stl_robust = robust,
                  inner_iter = inner, outer_iter = outer,
                  stl_options = list(low_pass = lw, seasonal_deg = 0L, trend_deg = 1L,
                                     low_pass_deg = 1L,
                                     seasonal_jump = as.integer(ceiling(sw / 10)),
                                     trend_jump = as.integer(ceiling(tw / 10)),
                                     low_pass_jump = as.integer(ceiling(lw / 10)))),
    seasonal = as.numeric(ts_[, "seasonal"]), trend = as.numeric(ts_[, "trend"]),
    remainder = as.numeric(ts_[, "remainder"]), weights = as.numeric(fit$weights),
    # robust z-score of the remainder: mad() has constant = 1.4826 by default
    anomaly_call = "(r - median(r)) / mad(r)",
    anomaly_score = as.numeric((ts_[, "remainder"] - median(ts_[, "remainder"])) /
                                 mad(ts_[, "remainder"])))
}
out <- list(
  r_version = R.version.string,
  series = list(police = list(start = "2015-01", y = as.numeric(police)),
                wiggle = list(y = as.numeric(wiggle), outlier_index0 = 40L)),
  cases = cases)
write_json(out, "tests/results/stl_series.json", digits = 15, auto_unbox = TRUE, pretty = FALSE)
cat("wrote", length(cases), "cases\n")
