# Reference numbers for the NCVS 2021 household test in tests/test_design.py.
#
# Run from the repository root:   Rscript tests/results/ncvs_property.R
# Reads  tests/data/ncvs2021_household.csv.gz (see tests/data/README.md for provenance)
# Writes tests/results/ncvs_property.json (15 significant digits)
#
# Design: stratified cluster sample, pseudo-strata `stratum` (V2117), half-sample PSUs `psu`
# (V2118) nested in strata, household weight `weight` (WGTHHCY), Taylor linearization,
# as in Zimmer, Powell & Velasquez (2024), ch. "National Crime Victimization Survey Vignette":
#   as_survey(weight = WGTHHCY, strata = V2117, ids = V2118, nest = TRUE)
# Property victimization rate per 1,000 households = 1000 x svymean(~property_vr_count).
suppressMessages(library(survey))

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
hh <- read.csv(gzfile(file.path(here, "..", "data", "ncvs2021_household.csv.gz")))

design_call <- paste("svydesign(id = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE,",
                     "data = hh)")
d <- eval(parse(text = design_call))
df <- degf(d)

num <- function(x) if (is.na(x) || !is.finite(x)) "null" else sprintf("%.15g", x)
row <- function(id, call, est, se, ci, by = NULL, python) {
  by_json <- if (is.null(by)) "null" else sprintf('{"tenure": "%s"}', by)
  sprintf(paste0('    {"id": "%s", "call": "%s", "by": %s, "python": %s,\n',
                 '     "estimate": %s, "se": %s, "ci_low": %s, "ci_high": %s}'),
          id, call, by_json, python, num(est), num(se), num(ci[1]), num(ci[2]))
}

rows <- character()
for (v in c("property_vr_count", "property_any")) {
  m <- svymean(as.formula(paste0("~", v)), d)
  ci <- as.vector(confint(m, df = df))
  scale <- if (v == "property_vr_count") 1000 else 1
  rows <- c(rows, row(
    paste0(v, "_mean"),
    sprintf("confint(svymean(~%s, d), df = degf(d))%s", v,
            if (scale == 1000) " (estimate, SE and CI then x 1000)" else ""),
    scale * unname(coef(m)), scale * unname(SE(m)), scale * ci,
    python = sprintf('{"method": "mean", "args": ["%s"], "scale": %d}', v, scale)))
}
# by tenure (1 owned, 2 rented): domain means, CIs with the domain design's df
for (t in c(1, 2)) {
  dd <- subset(d, tenure == t)
  m <- svymean(~property_vr_count, dd)
  ci <- as.vector(confint(m, df = degf(dd)))
  rows <- c(rows, row(
    paste0("property_vr_count_tenure", t),
    sprintf("confint(svymean(~property_vr_count, subset(d, tenure == %d)), df = degf(subset(d, tenure == %d))) (x 1000); = svyby(~property_vr_count, ~tenure, d, svymean)", t, t),
    1000 * unname(coef(m)), 1000 * unname(SE(m)), 1000 * ci, by = as.character(t),
    python = '{"method": "mean", "args": ["property_vr_count"], "by": "tenure", "scale": 1000}'))
}
b <- svyby(~property_vr_count, ~tenure, d, svymean)
stopifnot(isTRUE(all.equal(as.numeric(SE(b)[1]),
                           as.numeric(SE(svymean(~property_vr_count, subset(d, tenure == 1)))))))

# timing: design construction + one svymean, median of 5 runs
times <- replicate(5, system.time({
  dt <- svydesign(id = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = hh)
  svymean(~property_vr_count, dt)
})[["elapsed"]])

json <- paste0(
  "{\n",
  '  "generated_by": "tests/results/ncvs_property.R",\n',
  sprintf('  "r_version": "%s",\n', R.version.string),
  sprintf('  "survey_version": "%s",\n', as.character(packageVersion("survey"))),
  '  "data": "tests/data/ncvs2021_household.csv.gz",\n',
  sprintf('  "design": "%s",\n', design_call),
  '  "python_design": {"weights": "weight", "strata": "stratum", "psu": "psu", "nest": true},\n',
  sprintf('  "rows_in_data": %d,\n', nrow(hh)),
  sprintf('  "degf": %d,\n', df),
  sprintf('  "r_seconds_design_and_svymean_median_of_5": %s,\n', num(median(times))),
  '  "cases": [\n', paste(rows, collapse = ",\n"), "\n  ]\n}\n")
writeLines(json, file.path(here, "ncvs_property.json"), sep = "")
cat("degf", df, "median seconds", median(times), "\n")
