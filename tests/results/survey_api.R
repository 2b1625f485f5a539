# Reference numbers for tests/test_design.py from R's `survey` package (Lumley).
#
# Run from the repository root:   Rscript tests/results/survey_api.R
# Writes, next to this script:
#   apisrs.csv apistrat.csv apiclus1.csv apiclus2.csv   the `api` data of survey (data(api)),
#                                                         plus a few derived columns (below)
#   survey_api.json                                      one entry per case: the exact R call,
#                                                         the design, the matching Python call
#                                                         and the numbers (15 significant digits)
#
# The CSVs are written first and then READ BACK, and every number is computed from the data
# as read back, so the Python tests (which read the same CSVs) see exactly the same input.
#
# Derived columns (documented in tests/README.md):
#   apisrs$fpc_frac     = 200 / fpc          (the fpc given as a sampling fraction)
#   apistrat$api00_na   = api00 with rows 3, 17, 40, 77, 150, 199 set to NA
#   apistrat$sch_wide_na= sch.wide with rows 5, 18, 60, 120, 181 set to NA
#   apistrat_lonely.csv = apistrat keeping only the first school of stratum H (a stratum with
#                         a single PSU), used for the lonely-PSU rules
#
# Conventions (mirrored by sga_methods):
#   * CIs of means, totals and ratios: confint(x, df = degf(design), level = level), i.e. a
#     Student t interval with the design degrees of freedom; with ci_df = "normal":
#     confint(x, level = level) (df = Inf).
#   * Domains (by=): svyby(...) uses design[domain, ] for each level; the per-domain CI uses the
#     degrees of freedom of that domain design, degf(subset(design, domain)), exactly what
#     svyciprop() does inside svyby(). The script checks that svyby() and subset() agree.
#   * Proportions: svymean(~factor) for estimate, SE and deff; CIs from
#       logit: svyciprop(~I(x == level), design, method = "logit")  (df = degf(design))
#       beta : svyciprop(~I(x == level), design, method = "beta")   (Korn-Graubard)
#       wald : svyciprop(~I(x == level), design, method = "mean")   (= p -/+ t_df * SE)
#       wilson: by hand, wilson_ci() below, with the effective sample size
#               n_eff = p (1 - p) / SE^2 and the t quantile with the design df.
suppressMessages(library(survey))

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))

# ---------------------------------------------------------------- data: export, read back
data(api)
apisrs$fpc_frac <- 200 / apisrs$fpc
apistrat$api00_na <- apistrat$api00
apistrat$api00_na[c(3, 17, 40, 77, 150, 199)] <- NA
apistrat$sch_wide_na <- as.character(apistrat$sch.wide)
apistrat$sch_wide_na[c(5, 18, 60, 120, 181)] <- NA
h_rows <- which(apistrat$stype == "H")
apistrat_lonely <- apistrat[-h_rows[-1], ]

tables <- list(apisrs = apisrs, apistrat = apistrat, apiclus1 = apiclus1,
               apiclus2 = apiclus2, apistrat_lonely = apistrat_lonely)
for (nm in names(tables)) {
  write.csv(tables[[nm]], file.path(here, paste0(nm, ".csv")), row.names = FALSE, na = "")
}
rd <- function(nm) read.csv(file.path(here, paste0(nm, ".csv")), stringsAsFactors = TRUE,
                            check.names = FALSE, na.strings = c("NA", ""))
apisrs <- rd("apisrs"); apistrat <- rd("apistrat"); apiclus1 <- rd("apiclus1")
apiclus2 <- rd("apiclus2"); apistrat_lonely <- rd("apistrat_lonely")

# ---------------------------------------------------------------- JSON writer (base R only)
num <- function(x) {
  if (length(x) != 1) stop("scalar expected")
  if (is.na(x) || !is.finite(x)) return("null")
  sprintf("%.15g", x)
}
to_json <- function(x, indent = "") {
  inner <- paste0(indent, "  ")
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (length(x) == 0) return(if (is.null(names(x))) "[]" else "{}")
    if (!is.null(names(x))) {
      items <- vapply(names(x), function(k) paste0(inner, '"', k, '": ',
                                                   to_json(x[[k]], inner)), "")
      return(paste0("{\n", paste(items, collapse = ",\n"), "\n", indent, "}"))
    }
    items <- vapply(x, function(v) paste0(inner, to_json(v, inner)), "")
    return(paste0("[\n", paste(items, collapse = ",\n"), "\n", indent, "]"))
  }
  if (is.logical(x) && length(x) == 1) return(if (is.na(x)) "null" else tolower(x))
  if (is.numeric(x) && length(x) == 1) return(num(x))
  if (is.character(x) && length(x) == 1) {
    return(paste0('"', gsub('"', '\\\\"', gsub("\\\\", "\\\\\\\\", x)), '"'))
  }
  if (length(x) > 1 || length(x) == 0) return(to_json(as.list(x), indent))
  stop("cannot serialise")
}

# ---------------------------------------------------------------- designs
designs <- list()
design_specs <- list()
add_design <- function(name, call_text, csv, python, lonely = "fail") {
  options(survey.lonely.psu = lonely)
  d <- eval(parse(text = call_text))
  designs[[name]] <<- d
  design_specs[[name]] <<- list(call = call_text,
                                options = sprintf('options(survey.lonely.psu = "%s")', lonely),
                                csv = paste0(csv, ".csv"), python = python,
                                degf = degf(d))
}
py <- function(weights = "pw", strata = NULL, psu = NULL, fpc = NULL, nest = FALSE,
               lonely_psu = "fail") {
  list(weights = weights, strata = strata, psu = psu, fpc = fpc, nest = nest,
       lonely_psu = lonely_psu)
}

add_design("dsrs", "svydesign(id = ~1, weights = ~pw, fpc = ~fpc, data = apisrs)",
           "apisrs", py(fpc = "fpc"))
add_design("dsrs_frac", "svydesign(id = ~1, weights = ~pw, fpc = ~fpc_frac, data = apisrs)",
           "apisrs", py(fpc = "fpc_frac"))
add_design("dsrs_nofpc", "svydesign(id = ~1, weights = ~pw, data = apisrs)",
           "apisrs", py())
add_design("dstrat",
           "svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)",
           "apistrat", py(strata = "stype", fpc = "fpc"))
add_design("dclus1", "svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)",
           "apiclus1", py(psu = "dnum", fpc = "fpc"))
add_design("dclus1_nofpc", "svydesign(id = ~dnum, weights = ~pw, data = apiclus1)",
           "apiclus1", py(psu = "dnum"))
# apiclus2 is two-stage; only its first stage (districts) is in scope: ultimate-cluster
# variance with the first-stage fpc, or with-replacement without fpc.
add_design("dclus2", "svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc1, data = apiclus2)",
           "apiclus2", py(psu = "dnum", fpc = "fpc1"))
add_design("dclus2_nofpc", "svydesign(id = ~dnum, weights = ~pw, data = apiclus2)",
           "apiclus2", py(psu = "dnum"))
# stratified cluster design: districts (PSUs) within school types; a district appears under
# several school types, so nest = TRUE.
add_design("dstratclus",
           "svydesign(id = ~dnum, strata = ~stype, weights = ~pw, nest = TRUE, data = apistrat)",
           "apistrat", py(strata = "stype", psu = "dnum", nest = TRUE))
for (rule in c("remove", "certainty", "adjust", "average")) {
  # stratum H has one school (one PSU)
  add_design(paste0("dlonely_strat_", rule),
             paste("svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc,",
                   "data = apistrat_lonely)"),
             "apistrat_lonely", py(strata = "stype", fpc = "fpc", lonely_psu = rule), rule)
  # districts within counties: 8 of the 11 counties have one district
  add_design(paste0("dlonely_clus_", rule),
             "svydesign(id = ~dnum, strata = ~cname, weights = ~pw, data = apiclus1)",
             "apiclus1", py(strata = "cname", psu = "dnum", lonely_psu = rule), rule)
  add_design(paste0("dlonely_clusfpc_", rule),
             "svydesign(id = ~dnum, strata = ~cname, weights = ~pw, fpc = ~fpc, data = apiclus1)",
             "apiclus1", py(strata = "cname", psu = "dnum", fpc = "fpc", lonely_psu = rule),
             rule)
}

# ---------------------------------------------------------------- estimators
wilson_ci <- function(p, se, df, level) {
  # Wilson score interval with the effective sample size n_eff = p (1 - p) / SE^2 and the
  # Student t quantile with the design degrees of freedom in place of z.
  n <- p * (1 - p) / se^2
  t <- qt(1 - (1 - level) / 2, df)
  centre <- (p + t^2 / (2 * n)) / (1 + t^2 / n)
  half <- t / (1 + t^2 / n) * sqrt(p * (1 - p) / n + t^2 / (4 * n^2))
  c(centre - half, centre + half)
}

beta_ci <- function(p, se, df, nrows, level) {
  # svyciprop(method = "beta") with degf(design) replaced by df: svyciprop itself always
  # uses degf(design) here, so the ci_df = "normal" variant (df = Inf) is computed by hand.
  alpha <- 1 - level
  n.eff <- p * (1 - p) / se^2 * (qt(alpha / 2, nrows - 1) / qt(alpha / 2, df))^2
  c(qbeta(alpha / 2, n.eff * p, n.eff * (1 - p) + 1),
    qbeta(1 - alpha / 2, n.eff * p + 1, n.eff * (1 - p)))
}

domains <- function(d, by) {
  # one (key, design) pair per domain, as svyby() builds them: design[byfactor == level, ]
  if (is.null(by)) return(list(list(key = NULL, design = d)))
  vars <- d$variables
  keep <- weights(d, "sampling") != 0
  combos <- unique(vars[keep, by, drop = FALSE])
  combos <- combos[complete.cases(combos), , drop = FALSE]
  combos <- combos[do.call(order, unname(as.list(combos))), , drop = FALSE]
  lapply(seq_len(nrow(combos)), function(i) {
    mask <- rep(TRUE, nrow(vars))
    key <- list()
    for (b in by) {
      mask <- mask & !is.na(vars[[b]]) & as.character(vars[[b]]) == as.character(combos[i, b])
      key[[b]] <- as.character(combos[i, b])
    }
    list(key = key, design = d[mask, ])
  })
}

ci_of <- function(x, dd, ci_df, level) {
  df <- if (ci_df == "design") degf(dd) else Inf
  as.vector(confint(x, df = df, level = level))
}

stat_rows <- function(fun, d, var, by, ci_df, level, denominator = NULL) {
  lapply(domains(d, by), function(dom) {
    dd <- dom$design
    f <- as.formula(paste0("~`", var, "`"))
    x <- switch(fun,
      mean = svymean(f, dd, na.rm = TRUE, deff = TRUE),
      total = svytotal(f, dd, na.rm = TRUE, deff = TRUE),
      ratio = svyratio(f, as.formula(paste0("~`", denominator, "`")), dd, na.rm = TRUE,
                       deff = TRUE))
    ok <- !is.na(dd$variables[[var]])
    if (!is.null(denominator)) ok <- ok & !is.na(dd$variables[[denominator]])
    ci <- ci_of(x, dd, ci_df, level)
    list(by = dom$key, estimate = unname(coef(x)), se = unname(SE(x)), ci_low = ci[1],
         ci_high = ci[2], df = if (ci_df == "design") degf(dd) else NA,
         deff = unname(deff(x)), n = sum(ok))
  })
}

prop_rows <- function(d, var, by, method, ci_df, level) {
  out <- list()
  for (dom in domains(d, by)) {
    dd <- dom$design
    m <- svymean(as.formula(paste0("~`", var, "`")), dd, na.rm = TRUE, deff = TRUE)
    levs <- levels(factor(d$variables[[var]]))
    df <- if (ci_df == "design") degf(dd) else Inf
    for (i in seq_along(levs)) {
      p <- unname(coef(m)[i]); se <- unname(SE(m)[i])
      f <- as.formula(sprintf('~I(`%s` == "%s")', var, levs[i]))
      ci <- switch(method,
        logit = as.vector(attr(svyciprop(f, dd, method = "logit", level = level, df = df,
                                         na.rm = TRUE), "ci")),
        beta = if (ci_df == "design") {
          as.vector(attr(svyciprop(f, dd, method = "beta", level = level, na.rm = TRUE), "ci"))
        } else {
          beta_ci(p, se, Inf, nrow(dd), level)
        },
        wald = as.vector(attr(svyciprop(f, dd, method = "mean", level = level, df = df,
                                        na.rm = TRUE), "ci")),
        wilson = wilson_ci(p, se, df, level))
      if (method == "wald") {
        stopifnot(isTRUE(all.equal(ci, p + se * qt(c((1 - level) / 2, 1 - (1 - level) / 2),
                                                    df))))
      }
      out[[length(out) + 1]] <- list(by = dom$key, level = levs[i], estimate = p, se = se,
                                     ci_low = ci[1], ci_high = ci[2],
                                     df = if (ci_df == "design") degf(dd) else NA,
                                     deff = unname(deff(m)[i]),
                                     n = sum(!is.na(dd$variables[[var]])))
    }
  }
  out
}

cases <- list()
add_case <- function(id, design, method, variable, by = NULL, denominator = NULL,
                     ci_df = "design", ci_level = 0.95, ci_method = NULL, subset = NULL,
                     note = NULL) {
  d <- designs[[design]]
  options(survey.lonely.psu = design_specs[[design]]$python$lonely_psu)
  dsub <- d
  subset_py <- NULL
  dname <- design
  if (!is.null(subset)) {
    dsub <- d[!is.na(d$variables[[subset[1]]]) & d$variables[[subset[1]]] == subset[2], ]
    dname <- sprintf('subset(%s, %s == "%s")', design, subset[1], subset[2])
    subset_py <- list(column = subset[1], equals = subset[2])
  }
  fml <- function(v) paste0("~", v)
  lvl <- if (ci_level != 0.95) sprintf(", level = %s", ci_level) else ""
  dfx <- if (ci_df == "design") sprintf("df = degf(%s)", dname) else "df = Inf"
  call <- switch(method,
    mean = , total = sprintf("confint(svy%s(%s, %s, na.rm = TRUE, deff = TRUE), %s%s)",
                             method, fml(variable), dname, dfx, lvl),
    ratio = sprintf("confint(svyratio(%s, %s, %s, na.rm = TRUE, deff = TRUE), %s%s)",
                    fml(variable), fml(denominator), dname, dfx, lvl),
    proportion = sprintf(paste0("svymean(%s, %s, na.rm = TRUE, deff = TRUE); CI: %s"),
                         fml(variable), dname,
                         switch(ci_method,
                                logit = sprintf('svyciprop(~I(%s == level), %s, method = "logit", %s%s, na.rm = TRUE)', variable, dname, dfx, lvl),
                                beta = if (ci_df == "design") sprintf('svyciprop(~I(%s == level), %s, method = "beta"%s, na.rm = TRUE)', variable, dname, lvl) else sprintf("beta_ci(p, SE(p), Inf, nrow(%s)%s) (this script)", dname, lvl),
                                wald = sprintf('svyciprop(~I(%s == level), %s, method = "mean", %s%s, na.rm = TRUE)', variable, dname, dfx, lvl),
                                wilson = sprintf("wilson_ci(p, SE(p), %s%s) (this script)", dfx, lvl))))
  if (!is.null(by)) {
    call <- paste0(sprintf("svyby(~%s, ~%s, %s, %s, ...); per domain: ", variable,
                           paste(by, collapse = " + "), dname,
                           if (method == "proportion") "svyciprop" else paste0("svy", method)),
                   gsub(dname, sprintf("subset(%s, <domain>)", dname), call, fixed = TRUE))
  }
  rows <- if (method == "proportion") {
    prop_rows(dsub, variable, by, ci_method, ci_df, ci_level)
  } else {
    stat_rows(method, dsub, variable, by, ci_df, ci_level, denominator)
  }
  kwargs <- list(ci_level = ci_level, ci_df = ci_df)
  if (!is.null(by)) kwargs$by <- by
  if (method == "proportion") kwargs$ci_method <- ci_method
  kwargs$deff <- TRUE
  args <- if (method == "ratio") list(variable, denominator) else list(variable)
  cases[[length(cases) + 1]] <<- list(
    id = id, design = design, call = call, note = note,
    python = list(design = design, subset = subset_py, method = method, args = args,
                  kwargs = kwargs),
    rows = rows)
}

# SRS, stratified, one-stage cluster (with and without fpc), first stage of apiclus2,
# stratified cluster: mean, total, ratio, proportions with all four CI methods.
main <- c("dsrs", "dsrs_frac", "dsrs_nofpc", "dstrat", "dclus1", "dclus1_nofpc", "dclus2",
          "dclus2_nofpc", "dstratclus")
for (dn in main) {
  add_case(paste0(dn, "_mean_api00"), dn, "mean", "api00")
  add_case(paste0(dn, "_total_enroll"), dn, "total", "enroll")
  add_case(paste0(dn, "_ratio_apistu_enroll"), dn, "ratio", "api.stu", denominator = "enroll")
  for (cm in c("logit", "beta", "wald", "wilson")) {
    add_case(paste0(dn, "_prop_schwide_", cm), dn, "proportion", "sch.wide", ci_method = cm)
  }
}
# normal-theory CIs and another level
add_case("dstrat_mean_api00_normal", "dstrat", "mean", "api00", ci_df = "normal")
add_case("dstrat_mean_api00_level90", "dstrat", "mean", "api00", ci_level = 0.90)
add_case("dclus1_total_enroll_normal", "dclus1", "total", "enroll", ci_df = "normal")
add_case("dclus1_prop_schwide_beta_normal", "dclus1", "proportion", "sch.wide",
         ci_method = "beta", ci_df = "normal")
add_case("dclus1_prop_schwide_logit_level90", "dclus1", "proportion", "sch.wide",
         ci_method = "logit", ci_level = 0.90)
add_case("dclus1_prop_schwide_wilson_level90", "dclus1", "proportion", "sch.wide",
         ci_method = "wilson", ci_level = 0.90)
# domains: by= (svyby) and subset()
add_case("dstrat_mean_api00_by_stype", "dstrat", "mean", "api00", by = "stype")
add_case("dstrat_mean_api00_subset_E", "dstrat", "mean", "api00", subset = c("stype", "E"))
add_case("dclus1_mean_api00_by_stype", "dclus1", "mean", "api00", by = "stype")
add_case("dclus1_mean_api00_subset_H", "dclus1", "mean", "api00", subset = c("stype", "H"))
add_case("dclus1_mean_api00_by_stype_schwide", "dclus1", "mean", "api00",
         by = c("stype", "sch.wide"))
add_case("dclus1_total_enroll_by_stype", "dclus1", "total", "enroll", by = "stype")
add_case("dclus1_ratio_by_stype", "dclus1", "ratio", "api.stu", denominator = "enroll",
         by = "stype")
add_case("dstratclus_mean_api00_by_awards", "dstratclus", "mean", "api00", by = "awards")
add_case("dclus2_mean_api00_by_stype", "dclus2", "mean", "api00", by = "stype")
for (cm in c("logit", "beta", "wald", "wilson")) {
  add_case(paste0("dclus1_prop_schwide_", cm, "_by_stype"), "dclus1", "proportion",
           "sch.wide", by = "stype", ci_method = cm)
}
add_case("dstrat_prop_awards_beta_subset_M", "dstrat", "proportion", "awards",
         ci_method = "beta", subset = c("stype", "M"))
# missing values (na.rm = TRUE)
add_case("dstrat_mean_api00na", "dstrat", "mean", "api00_na")
add_case("dstrat_mean_api00na_by_stype", "dstrat", "mean", "api00_na", by = "stype")
add_case("dstrat_total_api00na", "dstrat", "total", "api00_na")
add_case("dstrat_ratio_api00na_api99", "dstrat", "ratio", "api00_na", denominator = "api99")
add_case("dclus2_total_enroll_na", "dclus2", "total", "enroll",
         note = "apiclus2$enroll has 6 missing values")
add_case("dclus2_ratio_apistu_enroll_na", "dclus2", "ratio", "api.stu", denominator = "enroll")
for (cm in c("logit", "beta", "wald", "wilson")) {
  add_case(paste0("dstrat_prop_schwidena_", cm), "dstrat", "proportion", "sch_wide_na",
           ci_method = cm)
}
add_case("dstrat_prop_schwidena_beta_by_stype", "dstrat", "proportion", "sch_wide_na",
         ci_method = "beta", by = "stype")
# lonely PSUs: every rule, whole sample and domains (a domain may hold a single PSU of a
# stratum that has several: survey.adjust.domain.lonely = FALSE, R's default, treats such a
# stratum as any other)
for (rule in c("remove", "certainty", "adjust", "average")) {
  for (kind in c("strat", "clus", "clusfpc")) {
    dn <- paste0("dlonely_", kind, "_", rule)
    add_case(paste0(dn, "_mean_api00"), dn, "mean", "api00")
    add_case(paste0(dn, "_total_enroll"), dn, "total", "enroll")
    add_case(paste0(dn, "_ratio"), dn, "ratio", "api.stu", denominator = "enroll")
    add_case(paste0(dn, "_prop_logit"), dn, "proportion", "sch.wide", ci_method = "logit")
    add_case(paste0(dn, "_mean_api00_by_schwide"), dn, "mean", "api00", by = "sch.wide")
    add_case(paste0(dn, "_mean_api00_by_stype"), dn, "mean", "api00", by = "stype")
  }
}

# svyby() and subset() give the same numbers (documented identity)
options(survey.lonely.psu = "fail")
a <- svyby(~api00, ~stype, designs$dclus1, svymean, deff = TRUE)
b <- svymean(~api00, subset(designs$dclus1, stype == "H"), deff = TRUE)
stopifnot(isTRUE(all.equal(as.numeric(SE(a)[2]), as.numeric(SE(b)))))
options(survey.lonely.psu = "average")
a <- svyby(~api00, ~stype, designs$dlonely_clus_average, svymean)
b <- svymean(~api00, subset(designs$dlonely_clus_average, stype == "M"))
stopifnot(isTRUE(all.equal(as.numeric(SE(a)[3]), as.numeric(SE(b)))))

# lonely.psu = "fail": R stops with an error naming the stratum
errors <- list()
for (kind in c("strat", "clus")) {
  options(survey.lonely.psu = "fail")
  d <- if (kind == "strat") {
    svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat_lonely)
  } else {
    svydesign(id = ~dnum, strata = ~cname, weights = ~pw, data = apiclus1)
  }
  msg <- tryCatch({svymean(~api00, d); "no error"}, error = function(e) conditionMessage(e))
  errors[[length(errors) + 1]] <- list(
    id = paste0("dlonely_", kind, "_fail"),
    call = if (kind == "strat") {
      paste('options(survey.lonely.psu = "fail"); svymean(~api00, svydesign(id = ~1,',
            'strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat_lonely))')
    } else {
      paste('options(survey.lonely.psu = "fail"); svymean(~api00, svydesign(id = ~dnum,',
            'strata = ~cname, weights = ~pw, data = apiclus1))')
    },
    csv = if (kind == "strat") "apistrat_lonely.csv" else "apiclus1.csv",
    python = if (kind == "strat") py(strata = "stype", fpc = "fpc") else
      py(strata = "cname", psu = "dnum"),
    error = msg)
}

out <- list(
  generated_by = "tests/results/survey_api.R",
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  options = "survey.adjust.domain.lonely = FALSE (default), survey.ultimate.cluster = FALSE",
  designs = design_specs,
  cases = cases,
  errors = errors)
writeLines(to_json(out), file.path(here, "survey_api.json"))
cat("wrote", length(cases), "cases and", length(errors), "error cases\n")
