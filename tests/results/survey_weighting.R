# Reference numbers for tests/test_weighting.py from R's `survey` package (Lumley):
# post-stratification, raking, calibration (linear / raking / logit, with bounds) and
# trimming, with the weights themselves and the estimates after weighting.
#
# Run from the repository root:   Rscript tests/results/survey_weighting.R
# Reads (written by tests/results/survey_api.R, not rewritten here):
#   apistrat.csv apiclus1.csv apiclus2.csv      the `api` data of survey (data(api))
# Writes, next to this script:
#   survey_weighting.json   the population totals used (from data(api)'s apipop, the
#                           population the api samples were drawn from), and one entry per
#                           weighting case: the exact R calls, the matching Python
#                           operations, all the weights, and for each estimator the
#                           numbers (15 significant digits)
#
# Conventions (mirrored by sga_methods):
#   * rake(): control = list(epsilon = 1e-12, maxit = 1000) (R's default epsilon = 1 stops
#     far from convergence; sga_methods converges to 1e-10 relative on the margins).
#   * calibrate(): epsilon = 1e-12, maxit = 200 for raking / logit / bounded linear;
#     unbounded linear calibration is R's exact one-step regcalibrate().
#   * Estimates: svymean / svytotal / svyratio with na.rm = TRUE, deff = TRUE; CIs by
#     confint(x, df = degf(design)); proportions by svymean(~factor) with the CI of
#     svyciprop(~I(x == level), design, method = "logit", df = degf(design)).
#   * Domains as svyby(): design[byfactor == level, ] (a calibrated design keeps every row,
#     with zero weight outside the domain); the per-domain CI uses degf of that domain design.
#     The script checks that svyby() agrees with these domain designs.
suppressMessages(library(survey))

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
rd <- function(nm) read.csv(file.path(here, paste0(nm, ".csv")), stringsAsFactors = TRUE,
                            check.names = FALSE, na.strings = c("NA", ""))
apistrat <- rd("apistrat"); apiclus1 <- rd("apiclus1"); apiclus2 <- rd("apiclus2")

# ---------------------------------------------------------------- JSON writer (base R only)
num <- function(x) {
  if (length(x) != 1) stop("scalar expected")
  if (is.na(x) || !is.finite(x)) return("null")
  sprintf("%.15g", x)
}
inline <- function(x) {
  # one-line rendering of a list
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (length(x) == 0) return(if (is.null(names(x))) "[]" else "{}")
    items <- vapply(seq_along(x), function(i) inline(x[[i]]), "")
    if (!is.null(names(x))) {
      return(paste0("{", paste0('"', names(x), '": ', items, collapse = ", "), "}"))
    }
    return(paste0("[", paste(items, collapse = ", "), "]"))
  }
  if (length(x) > 1 || length(x) == 0) return(inline(as.list(x)))
  to_json(x)
}
to_json <- function(x, indent = "") {
  # pretty JSON; lists that fit on a line of 250 characters are written on one line
  inner <- paste0(indent, "  ")
  if (is.null(x)) return("null")
  if ((is.list(x) || length(x) != 1) && nchar(inline(x)) + nchar(indent) <= 250) {
    return(inline(x))
  }
  if (is.list(x)) {
    if (!is.null(names(x))) {
      items <- vapply(names(x), function(k) paste0(inner, '"', k, '": ',
                                                   to_json(x[[k]], inner)), "")
      return(paste0("{\n", paste(items, collapse = ",\n"), "\n", indent, "}"))
    }
    items <- vapply(x, function(v) paste0(inner, to_json(v, inner)), "")
    return(paste0("[\n", paste(items, collapse = ",\n"), "\n", indent, "]"))
  }
  if (is.logical(x)) return(if (is.na(x)) "null" else tolower(x))
  if (is.numeric(x)) return(num(x))
  if (is.character(x)) {
    return(paste0('"', gsub('"', '\\\\"', gsub("\\\\", "\\\\\\\\", x)), '"'))
  }
  stop("cannot serialise")
}
# numeric vectors as one compact line (the weights)
vec_json <- function(x) paste0("[", paste(vapply(x, num, ""), collapse = ", "), "]")

# ---------------------------------------------------------------- population totals (apipop)
data(api)
named <- function(tab) as.list(setNames(as.numeric(tab), names(tab)))
yes <- apipop$sch.wide == "Yes"
populations <- list(
  stype = named(table(apipop$stype)),
  sch.wide = named(table(apipop$sch.wide)),
  awards = named(table(apipop$awards)),
  stype_schwide = lapply(seq_len(3 * 2), function(i) {
    tab <- as.data.frame(table(stype = apipop$stype, sch.wide = apipop$sch.wide))
    list(stype = as.character(tab$stype[i]), sch.wide = as.character(tab$sch.wide[i]),
         population = tab$Freq[i])
  }),
  api99 = sum(apipop$api99),
  N = nrow(apipop),
  stype_schwide_yes = named(table(apipop$stype[yes])),
  api99_schwide_yes = sum(apipop$api99[yes]),
  N_schwide_yes = sum(yes))
P <- populations
pop_df <- function(name) {
  x <- P[[name]]
  d <- data.frame(names(x), as.numeric(unlist(x)), stringsAsFactors = FALSE)
  names(d) <- c(name, "Freq")
  d
}
pop_stype <- pop_df("stype"); pop_schwide <- pop_df("sch.wide"); pop_awards <- pop_df("awards")
pop_cross <- as.data.frame(table(stype = apipop$stype, sch.wide = apipop$sch.wide))
pop_stype_yes <- data.frame(stype = names(P$stype_schwide_yes),
                            Freq = as.numeric(unlist(P$stype_schwide_yes)))
cal_pop <- c(`(Intercept)` = P$N, stypeH = P$stype$H, stypeM = P$stype$M, api99 = P$api99)
cal_pop_yes <- c(`(Intercept)` = P$N_schwide_yes, stypeH = P$stype_schwide_yes$H,
                 stypeM = P$stype_schwide_yes$M, api99 = P$api99_schwide_yes)
cal_pop_schwide <- c(`(Intercept)` = P$N, sch.wideYes = P$sch.wide$Yes, api99 = P$api99)

# ---------------------------------------------------------------- designs
designs <- list(
  dstrat = list(call = "svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)",
                csv = "apistrat.csv", lonely = "fail",
                python = list(weights = "pw", strata = "stype", psu = NULL, fpc = "fpc",
                              nest = FALSE, lonely_psu = "fail")),
  dclus1 = list(call = "svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)",
                csv = "apiclus1.csv", lonely = "fail",
                python = list(weights = "pw", strata = NULL, psu = "dnum", fpc = "fpc",
                              nest = FALSE, lonely_psu = "fail")),
  dclus2 = list(call = "svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc1, data = apiclus2)",
                csv = "apiclus2.csv", lonely = "fail",
                python = list(weights = "pw", strata = NULL, psu = "dnum", fpc = "fpc1",
                              nest = FALSE, lonely_psu = "fail")),
  # counties as strata, districts as PSUs: 8 of 11 counties hold one district
  dlonely_average = list(
    call = "svydesign(id = ~dnum, strata = ~cname, weights = ~pw, data = apiclus1)",
    csv = "apiclus1.csv", lonely = "average",
    python = list(weights = "pw", strata = "cname", psu = "dnum", fpc = NULL, nest = FALSE,
                  lonely_psu = "average")),
  dlonely_adjust = list(
    call = "svydesign(id = ~dnum, strata = ~cname, weights = ~pw, data = apiclus1)",
    csv = "apiclus1.csv", lonely = "adjust",
    python = list(weights = "pw", strata = "cname", psu = "dnum", fpc = NULL, nest = FALSE,
                  lonely_psu = "adjust")))
for (nm in names(designs)) {
  options(survey.lonely.psu = designs[[nm]]$lonely)
  assign(nm, eval(parse(text = designs[[nm]]$call)))
  designs[[nm]]$degf <- degf(get(nm))
}

# ---------------------------------------------------------------- Python operations
op <- function(.op, ...) list(op = .op, ...)
ps_stype <- op("poststratify", columns = "stype", totals = P$stype)
ps_cross <- op("poststratify", columns = list("stype", "sch.wide"), totals = P$stype_schwide)
rake2 <- op("rake", margins = list(stype = P$stype, sch.wide = P$sch.wide))
rake3 <- op("rake", margins = list(stype = P$stype, sch.wide = P$sch.wide, awards = P$awards))
cal <- function(method, bounds = NULL) {
  o <- op("calibrate", margins = list(stype = P$stype, api99 = P$api99), method = method)
  if (!is.null(bounds)) o$bounds <- bounds
  o
}
subset_yes <- op("subset", column = "sch.wide", equals = "Yes")

bounds <- list(dstrat = c(0.97, 1.03), dclus1 = c(0.6, 1.6), dclus2 = c(0.85, 1.45))
rake_ctl <- "control = list(epsilon = 1e-12, maxit = 1000)"
cal_ctl <- "epsilon = 1e-12, maxit = 200"
bnd <- function(b) sprintf("bounds = c(%s, %s)", b[1], b[2])

weightings <- list()
add_weighting <- function(id, design, call, ops, note = NULL) {
  weightings[[length(weightings) + 1]] <<- list(id = id, design = design, call = call,
                                                 ops = ops, note = note)
}
for (dn in c("dstrat", "dclus1", "dclus2")) {
  b <- bounds[[dn]]
  add_weighting(paste0(dn, "_ps_stype"), dn,
                sprintf("postStratify(%s, ~stype, pop_stype)", dn), list(ps_stype))
  add_weighting(paste0(dn, "_ps_cross"), dn,
                sprintf("postStratify(%s, ~stype + sch.wide, pop_cross)", dn), list(ps_cross))
  add_weighting(paste0(dn, "_rake2"), dn,
                sprintf("rake(%s, list(~stype, ~sch.wide), list(pop_stype, pop_schwide), %s)",
                        dn, rake_ctl), list(rake2))
  add_weighting(paste0(dn, "_rake3"), dn,
                sprintf(paste("rake(%s, list(~stype, ~sch.wide, ~awards),",
                              "list(pop_stype, pop_schwide, pop_awards), %s)"), dn, rake_ctl),
                list(rake3))
  add_weighting(paste0(dn, "_cal_linear"), dn,
                sprintf("calibrate(%s, ~stype + api99, cal_pop)", dn), list(cal("linear")))
  add_weighting(paste0(dn, "_cal_linear_bounded"), dn,
                sprintf("calibrate(%s, ~stype + api99, cal_pop, calfun = \"linear\", %s, %s)",
                        dn, bnd(b), cal_ctl), list(cal("linear", b)))
  add_weighting(paste0(dn, "_cal_raking"), dn,
                sprintf("calibrate(%s, ~stype + api99, cal_pop, calfun = \"raking\", %s)",
                        dn, cal_ctl), list(cal("raking")))
  add_weighting(paste0(dn, "_cal_raking_bounded"), dn,
                sprintf("calibrate(%s, ~stype + api99, cal_pop, calfun = \"raking\", %s, %s)",
                        dn, bnd(b), cal_ctl), list(cal("raking", b)))
  add_weighting(paste0(dn, "_cal_logit"), dn,
                sprintf("calibrate(%s, ~stype + api99, cal_pop, calfun = \"logit\", %s, %s)",
                        dn, bnd(b), cal_ctl), list(cal("logit", b)))
}
# raking on one margin: R's rake variance centres u within levels *unweighted*, so with
# weights varying within the levels (apiclus2) its SE differs from postStratify's
add_weighting("dclus2_rake1", "dclus2",
              sprintf("rake(dclus2, list(~stype), list(pop_stype), %s)", rake_ctl),
              list(op("rake", margins = list(stype = P$stype))),
              note = "SE differs from dclus2_ps_stype: R's rake variance (unweighted centring)")
# trimming: plain weights (strict = FALSE and TRUE differ here: redistribution pushes the
# M schools above the cap), and after raking / calibration (R keeps the postStrata)
add_weighting("dstrat_trim", "dstrat", "trimWeights(dstrat, lower = 18, upper = 32)",
              list(op("trim_weights", lower = 18, upper = 32, strict = FALSE)))
add_weighting("dstrat_trim_strict", "dstrat",
              "trimWeights(dstrat, lower = 18, upper = 32, strict = TRUE)",
              list(op("trim_weights", lower = 18, upper = 32, strict = TRUE)))
add_weighting("dclus1_rake2_trim", "dclus1",
              sprintf(paste("trimWeights(rake(dclus1, list(~stype, ~sch.wide),",
                            "list(pop_stype, pop_schwide), %s), lower = 31, upper = 50)"),
                      rake_ctl),
              list(rake2, op("trim_weights", lower = 31, upper = 50, strict = FALSE)))
add_weighting("dclus2_cal_linear_trim_strict", "dclus2",
              "trimWeights(calibrate(dclus2, ~stype + api99, cal_pop), lower = 18, upper = 150, strict = TRUE)",
              list(cal("linear"), op("trim_weights", lower = 18, upper = 150, strict = TRUE)))
# composition: calibrating a post-stratified design stacks the steps (R's postStrata list)
add_weighting("dclus1_ps_then_cal", "dclus1",
              "calibrate(postStratify(dclus1, ~stype, pop_stype), ~sch.wide + api99, cal_pop_schwide)",
              list(ps_stype, op("calibrate", margins = list(sch.wide = P$sch.wide,
                                                             api99 = P$api99),
                                method = "linear")))
# weighting a subset of an uncalibrated design: R drops the other rows first
add_weighting("dstrat_subset_ps", "dstrat",
              "postStratify(subset(dstrat, sch.wide == \"Yes\"), ~stype, pop_stype_yes)",
              list(subset_yes, op("poststratify", columns = "stype",
                                  totals = P$stype_schwide_yes)))
add_weighting("dclus1_subset_cal", "dclus1",
              "calibrate(subset(dclus1, sch.wide == \"Yes\"), ~stype + api99, cal_pop_yes)",
              list(subset_yes, op("calibrate", margins = list(stype = P$stype_schwide_yes,
                                                               api99 = P$api99_schwide_yes),
                                  method = "linear")))
# lonely PSUs after calibration (every stratum of the design counts in every domain)
for (rule in c("average", "adjust")) {
  dn <- paste0("dlonely_", rule)
  add_weighting(paste0(dn, "_ps_stype"), dn,
                sprintf("postStratify(%s, ~stype, pop_stype)", dn), list(ps_stype))
  add_weighting(paste0(dn, "_cal_raking"), dn,
                sprintf("calibrate(%s, ~stype + api99, cal_pop, calfun = \"raking\", %s)",
                        dn, cal_ctl), list(cal("raking")))
}

# ---------------------------------------------------------------- estimators
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

stat_rows <- function(fun, d, var, by, denominator = NULL) {
  lapply(domains(d, by), function(dom) {
    dd <- dom$design
    f <- as.formula(paste0("~`", var, "`"))
    x <- switch(fun,
      mean = svymean(f, dd, na.rm = TRUE, deff = TRUE),
      total = svytotal(f, dd, na.rm = TRUE, deff = TRUE),
      ratio = svyratio(f, as.formula(paste0("~`", denominator, "`")), dd, na.rm = TRUE,
                       deff = TRUE))
    ok <- !is.na(dd$variables[[var]]) & weights(dd, "sampling") != 0
    if (!is.null(denominator)) ok <- ok & !is.na(dd$variables[[denominator]])
    ci <- as.vector(confint(x, df = degf(dd)))
    list(by = dom$key, estimate = unname(coef(x)), se = unname(SE(x)), ci_low = ci[1],
         ci_high = ci[2], df = degf(dd), deff = unname(deff(x)), n = sum(ok))
  })
}

prop_rows <- function(d, var, by) {
  out <- list()
  for (dom in domains(d, by)) {
    dd <- dom$design
    m <- svymean(as.formula(paste0("~`", var, "`")), dd, na.rm = TRUE, deff = TRUE)
    levs <- levels(factor(d$variables[[var]]))
    for (i in seq_along(levs)) {
      f <- as.formula(sprintf('~I(`%s` == "%s")', var, levs[i]))
      # svyglm inside svyciprop warns that rows outside the domain (weight 0) are not used
      # for the dispersion; that does not affect the interval
      ci <- as.vector(attr(suppressWarnings(
        svyciprop(f, dd, method = "logit", df = degf(dd), na.rm = TRUE)), "ci"))
      ok <- !is.na(dd$variables[[var]]) & weights(dd, "sampling") != 0
      out[[length(out) + 1]] <- list(by = dom$key, level = levs[i],
                                     estimate = unname(coef(m)[i]), se = unname(SE(m)[i]),
                                     ci_low = ci[1], ci_high = ci[2], df = degf(dd),
                                     deff = unname(deff(m)[i]), n = sum(ok))
    }
  }
  out
}

no_kwargs <- setNames(list(), character(0))  # written as {} in JSON
estimators <- list(
  list(id = "mean_api00", method = "mean", args = list("api00"), kwargs = no_kwargs,
       r = "confint(svymean(~api00, W, na.rm = TRUE, deff = TRUE), df = degf(W))",
       rows = function(W) stat_rows("mean", W, "api00", NULL)),
  list(id = "total_enroll", method = "total", args = list("enroll"), kwargs = no_kwargs,
       r = "confint(svytotal(~enroll, W, na.rm = TRUE, deff = TRUE), df = degf(W))",
       rows = function(W) stat_rows("total", W, "enroll", NULL)),
  list(id = "ratio_apistu_enroll", method = "ratio", args = list("api.stu", "enroll"),
       kwargs = no_kwargs,
       r = "confint(svyratio(~api.stu, ~enroll, W, na.rm = TRUE, deff = TRUE), df = degf(W))",
       rows = function(W) stat_rows("ratio", W, "api.stu", NULL, "enroll")),
  list(id = "prop_compimp", method = "proportion", args = list("comp.imp"),
       kwargs = list(ci_method = "logit"),
       r = paste("svymean(~comp.imp, W, deff = TRUE); CI: svyciprop(~I(comp.imp == level),",
                 "W, method = \"logit\", df = degf(W))"),
       rows = function(W) prop_rows(W, "comp.imp", NULL)),
  list(id = "mean_api00_by_stype", method = "mean", args = list("api00"),
       kwargs = list(by = "stype"),
       r = "svyby(~api00, ~stype, W, svymean, deff = TRUE); CI per domain with degf(W[domain, ])",
       rows = function(W) stat_rows("mean", W, "api00", "stype")),
  list(id = "total_enroll_by_schwide", method = "total", args = list("enroll"),
       kwargs = list(by = "sch.wide"),
       r = "svyby(~enroll, ~sch.wide, W, svytotal, na.rm = TRUE, deff = TRUE)",
       rows = function(W) stat_rows("total", W, "enroll", "sch.wide")),
  list(id = "prop_compimp_by_stype", method = "proportion", args = list("comp.imp"),
       kwargs = list(by = "stype", ci_method = "logit"),
       r = "svyby(~comp.imp, ~stype, W, svymean, deff = TRUE); CI: svyciprop per domain",
       rows = function(W) prop_rows(W, "comp.imp", "stype")))

# ---------------------------------------------------------------- run
cases <- list()
weights_json <- list()
for (wt in weightings) {
  options(survey.lonely.psu = designs[[wt$design]]$lonely)
  W <- eval(parse(text = wt$call))
  rows_in_csv <- as.integer(rownames(W$variables))  # subset() of an uncalibrated design drops rows
  est <- lapply(estimators, function(e) {
    list(id = e$id, call = e$r, python = list(method = e$method, args = e$args,
                                              kwargs = e$kwargs),
         rows = e$rows(W))
  })
  cases[[length(cases) + 1]] <- list(id = wt$id, design = wt$design, call = wt$call,
                                     note = wt$note, python = wt$ops,
                                     degf = degf(W),
                                     estimates = est)
  weights_json[[wt$id]] <- list(rows = rows_in_csv, weights = unname(weights(W, "sampling")))
}

# svyby() agrees with the domain designs used above, on a calibrated design
options(survey.lonely.psu = "fail")
W <- rake(dclus2, list(~stype, ~sch.wide), list(pop_stype, pop_schwide),
          control = list(epsilon = 1e-12, maxit = 1000))
a <- svyby(~api00, ~stype, W, svymean)
b <- svymean(~api00, subset(W, stype == "M"))
stopifnot(isTRUE(all.equal(as.numeric(SE(a)[3]), as.numeric(SE(b)))))

header <- list(
  generated_by = "tests/results/survey_weighting.R",
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  options = "survey.adjust.domain.lonely = FALSE (default), survey.ultimate.cluster = FALSE",
  populations = populations,
  designs = designs,
  cases = cases)
text <- to_json(header)
# append the weights as compact one-line arrays
wlines <- vapply(names(weights_json), function(k) {
  sprintf('    "%s": {"rows": %s, "weights": %s}', k,
          paste0("[", paste(weights_json[[k]]$rows, collapse = ", "), "]"),
          vec_json(weights_json[[k]]$weights))
}, "")
text <- sub("\n}$", paste0(",\n  \"weights\": {\n", paste(wlines, collapse = ",\n"),
                            "\n  }\n}"), text)
writeLines(text, file.path(here, "survey_weighting.json"))
cat("wrote", length(cases), "weighting cases,",
    sum(sapply(cases, function(x) length(x$estimates))), "estimator blocks\n")
