# Reference numbers for tests/test_replicate.py from R's `survey` package (Lumley):
# replicate-weight designs (svrepdesign, as.svrepdesign) and their estimators.
#
# Run from the repository root:   Rscript tests/results/survey_replicate.R
# Reads (written by survey_api.R, not here):  apiclus1.csv apistrat.csv
# Writes, next to this script:
#   api_brr.csv               apistrat with two-PSU pseudo-strata for BRR and Fay (below)
#   apiclus1_repw.csv.gz      apiclus1 with replicate weights exported from R, as a data set
#                             that ships replicate weights (below)
#   survey_replicate.json     designs (R call, matching Python call, degf, scale, rscales, R's
#                             replicate weights), Hadamard matrices, and one entry per case:
#                             the exact R call, the Python call, the numbers (15 digits)
#
# Files written here are READ BACK and every number is computed from the data as read back,
# so the Python tests (which read the same files) see exactly the same input.
#
# Derived data (documented in tests/README.md):
#   api_brr.csv: apistrat sorted by (stype, snum) and cut into 16 consecutive groups of 12 or
#     13 schools (`vpsu` = "p01".."p16"); groups 2k-1 and 2k form pseudo-stratum `vstrat` =
#     "s01".."s08". Rows are written in apistrat's original order (so "first PSU of a
#     stratum" means first appearance in the file, as in brrweights). Weights `pw` as apistrat.
#   apiclus1_repw.csv.gz: apiclus1 (analysis columns) plus, as analysis (combined) weights:
#     boot1..boot50  Rao-Wu bootstrap, as.svrepdesign(dclus1, type = "subbootstrap",
#                    replicates = 50) after set.seed(20240611)
#     cdb1..cdb50     Canty-Davison bootstrap, as.svrepdesign(dclus1, type = "bootstrap",
#                    replicates = 50) after set.seed(20240612)
#     jk1_1..jk1_15  JK1 with fpc, as.svrepdesign(dclus1, type = "JK1")
#     jkn1..jkn7     JKn of the county-stratified design (8 of 11 counties hold one district;
#                    survey.lonely.psu = "remove" drops them: 7 replicates)
#
# Conventions (mirrored by sga_methods.replicate):
#   * replicate variance: svrVar, v = scale * sum_r rscales_r (theta_r - centre)^2, centre the
#     mean of the replicates (mse = FALSE) or the full-sample estimate (mse = TRUE);
#   * CIs of means, totals and ratios: confint(x, df = degf(design)) (df = Inf for "normal");
#   * domains: design[domain, ] per level, as svyby() does; CIs use degf of the domain design
#     (the rank of its replicate weights minus one); the script checks svyby() agrees;
#   * proportions: svymean(~factor) for estimate, SE and deff; CIs from svyciprop (logit:
#     svyglm on the replicate design, i.e. the replicate variance of logit(p_r); beta; mean),
#     Wilson by the formula of sga_methods.intervals.proportion_interval.
suppressMessages(library(survey))

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
rd <- function(file) read.csv(file.path(here, file), stringsAsFactors = TRUE,
                              check.names = FALSE, na.strings = c("NA", ""))

# ---------------------------------------------------------------- data
apiclus1 <- rd("apiclus1.csv")
apistrat <- rd("apistrat.csv")

# BRR data: 8 pseudo-strata of 2 PSUs each
ord <- order(apistrat$stype, apistrat$snum)
group <- integer(nrow(apistrat))
group[ord] <- ceiling(seq_along(ord) * 16 / nrow(apistrat))
api_brr <- apistrat[, c("cds", "stype", "snum", "dnum", "api00", "api99", "enroll",
                        "api.stu", "sch.wide", "awards", "pw")]
api_brr$vpsu <- sprintf("p%02d", group)
api_brr$vstrat <- sprintf("s%02d", (group + 1) %/% 2)
write.csv(api_brr, file.path(here, "api_brr.csv"), row.names = FALSE, na = "")
api_brr <- rd("api_brr.csv")

options(survey.lonely.psu = "fail")
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)

# data set that ships replicate weights
keep <- c("cds", "stype", "snum", "dnum", "cname", "api00", "api99", "enroll", "api.stu",
          "sch.wide", "awards", "fpc", "pw")
repw <- apiclus1[, keep]
analysis <- function(d, prefix) {
  w <- weights(d, "analysis")
  colnames(w) <- paste0(prefix, seq_len(ncol(w)))
  w
}
set.seed(20240611)
boot_rw <- as.svrepdesign(dclus1, type = "subbootstrap", replicates = 50)
set.seed(20240612)
boot_cd <- as.svrepdesign(dclus1, type = "bootstrap", replicates = 50)
options(survey.lonely.psu = "remove")
jkn_remove <- as.svrepdesign(svydesign(id = ~dnum, strata = ~cname, weights = ~pw,
                                       data = apiclus1), type = "JKn")
options(survey.lonely.psu = "fail")
repw <- cbind(repw, analysis(boot_rw, "boot"), analysis(boot_cd, "cdb"),
              analysis(as.svrepdesign(dclus1, type = "JK1"), "jk1_"),
              analysis(jkn_remove, "jkn"))
gz <- gzfile(file.path(here, "apiclus1_repw.csv.gz"), "w")
write.csv(repw, gz, row.names = FALSE, na = "")
close(gz)
apiclus1_repw <- rd("apiclus1_repw.csv.gz")

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

# replicate multipliers (R's repweights, n x R) as distinct values + one code string per row
symbols <- c(0:9, letters, LETTERS)
encode_weights <- function(d) {
  m <- as.matrix(d$repweights)
  values <- sort(unique(as.vector(m)))
  if (length(values) > length(symbols)) stop("too many distinct replicate multipliers")
  codes <- matrix(symbols[match(m, values)], nrow = nrow(m))
  list(values = as.list(values), rows = as.list(apply(codes, 1, paste, collapse = "")))
}

# ---------------------------------------------------------------- designs
designs <- list()
design_specs <- list()
sd_py <- function(weights = "pw", strata = NULL, psu = NULL, fpc = NULL, nest = FALSE,
                  lonely_psu = "fail") {
  list(weights = weights, strata = strata, psu = psu, fpc = fpc, nest = nest,
       lonely_psu = lonely_psu)
}
add_design <- function(name, call_text, csv, python, lonely = "fail", export = FALSE) {
  options(survey.lonely.psu = lonely)
  d <- eval(parse(text = call_text))
  options(survey.lonely.psu = "fail")
  designs[[name]] <<- d
  design_specs[[name]] <<- list(
    call = call_text, options = sprintf('options(survey.lonely.psu = "%s")', lonely),
    csv = csv, python = python, degf = degf(d), scale = d$scale,
    rscales = as.list(unname(d$rscales)), mse = isTRUE(d$mse),
    n_replicates = ncol(weights(d, "analysis")),
    multipliers = if (export) encode_weights(d) else NULL)
}
from_py <- function(design, method, ...) {
  list(kind = "from_design", design = design, method = method, kwargs = list(...))
}
rep_py <- function(...) list(kind = "replicate", kwargs = list(...))

add_design("jk1_clus1",
           paste("as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc,",
                 "data = apiclus1), type = \"JK1\")"),
           "apiclus1.csv", from_py(sd_py(psu = "dnum", fpc = "fpc"), "jk1"), export = TRUE)
add_design("jk1_clus1_nofpc",
           "as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, data = apiclus1), type = \"JK1\")",
           "apiclus1.csv", from_py(sd_py(psu = "dnum"), "jk1"), export = TRUE)
add_design("jk1_clus1_mse",
           paste("as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc,",
                 "data = apiclus1), type = \"JK1\", mse = TRUE)"),
           "apiclus1.csv", from_py(sd_py(psu = "dnum", fpc = "fpc"), "jk1", mse = TRUE))
add_design("jkn_strat",
           paste("as.svrepdesign(svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc,",
                 "data = apistrat), type = \"JKn\")"),
           "apistrat.csv", from_py(sd_py(strata = "stype", fpc = "fpc"), "jkn"), export = TRUE)
add_design("jkn_stratclus",
           paste("as.svrepdesign(svydesign(id = ~dnum, strata = ~stype, weights = ~pw,",
                 "nest = TRUE, data = apistrat), type = \"JKn\")"),
           "apistrat.csv", from_py(sd_py(strata = "stype", psu = "dnum", nest = TRUE), "jkn"),
           export = TRUE)
add_design("jkn_stratclus_mse",
           paste("as.svrepdesign(svydesign(id = ~dnum, strata = ~stype, weights = ~pw,",
                 "nest = TRUE, data = apistrat), type = \"JKn\", mse = TRUE)"),
           "apistrat.csv",
           from_py(sd_py(strata = "stype", psu = "dnum", nest = TRUE), "jkn", mse = TRUE))
for (rule in c("remove", "certainty", "adjust", "average")) {
  add_design(paste0("jkn_lonely_", rule),
             paste("as.svrepdesign(svydesign(id = ~dnum, strata = ~cname, weights = ~pw,",
                   "data = apiclus1), type = \"JKn\")"),
             "apiclus1.csv",
             from_py(sd_py(strata = "cname", psu = "dnum", lonely_psu = rule), "jkn"),
             lonely = rule, export = TRUE)
}
add_design("brr",
           paste("as.svrepdesign(svydesign(id = ~vpsu, strata = ~vstrat, weights = ~pw,",
                 "data = api_brr), type = \"BRR\")"),
           "api_brr.csv", from_py(sd_py(strata = "vstrat", psu = "vpsu"), "brr"), export = TRUE)
add_design("fay",
           paste("as.svrepdesign(svydesign(id = ~vpsu, strata = ~vstrat, weights = ~pw,",
                 "data = api_brr), type = \"Fay\", fay.rho = 0.5)"),
           "api_brr.csv", from_py(sd_py(strata = "vstrat", psu = "vpsu"), "fay", fay_rho = 0.5),
           export = TRUE)
add_design("fay_mse",
           paste("as.svrepdesign(svydesign(id = ~vpsu, strata = ~vstrat, weights = ~pw,",
                 "data = api_brr), type = \"Fay\", fay.rho = 0.3, mse = TRUE)"),
           "api_brr.csv",
           from_py(sd_py(strata = "vstrat", psu = "vpsu"), "fay", fay_rho = 0.3, mse = TRUE))
# data sets that ship replicate weights (combined weights, as exported above)
add_design("ship_boot",
           paste("svrepdesign(data = apiclus1_repw, repweights = \"^boot\", weights = ~pw,",
                 "type = \"bootstrap\", combined.weights = TRUE)"),
           "apiclus1_repw.csv.gz",
           rep_py(weights = "pw", replicate_weights = "^boot", method = "bootstrap"))
add_design("ship_boot_mse",
           paste("svrepdesign(data = apiclus1_repw, repweights = \"^boot\", weights = ~pw,",
                 "type = \"bootstrap\", combined.weights = TRUE, mse = TRUE)"),
           "apiclus1_repw.csv.gz",
           rep_py(weights = "pw", replicate_weights = "^boot", method = "bootstrap", mse = TRUE))
cd_scale <- boot_cd$scale
add_design("ship_cd_scale",
           sprintf(paste("svrepdesign(data = apiclus1_repw, repweights = \"^cdb\", weights = ~pw,",
                         "type = \"bootstrap\", combined.weights = TRUE, scale = %.15g)"),
                   cd_scale),
           "apiclus1_repw.csv.gz",
           rep_py(weights = "pw", replicate_weights = "^cdb", method = "bootstrap",
                  scale = as.numeric(sprintf("%.15g", cd_scale))))
jk1_scale <- (757 - 15) / 757 * 14 / 15
add_design("ship_jk1_scale",
           sprintf(paste("svrepdesign(data = apiclus1_repw, repweights = \"^jk1_\",",
                         "weights = ~pw, type = \"JK1\", combined.weights = TRUE,",
                         "scale = %.15g)"), jk1_scale),
           "apiclus1_repw.csv.gz",
           rep_py(weights = "pw", replicate_weights = paste0("jk1_", 1:15), method = "jk1",
                  scale = as.numeric(sprintf("%.15g", jk1_scale))))
jkn_rscales <- jkn_remove$rscales
add_design("ship_jkn_rscales",
           sprintf(paste("svrepdesign(data = apiclus1_repw, repweights = \"^jkn\",",
                         "weights = ~pw, type = \"JKn\", combined.weights = TRUE,",
                         "rscales = c(%s))"),
                   paste(sprintf("%.15g", jkn_rscales), collapse = ", ")),
           "apiclus1_repw.csv.gz",
           rep_py(weights = "pw", replicate_weights = "^jkn", method = "jkn",
                  rscales = as.list(as.numeric(sprintf("%.15g", jkn_rscales)))))
other_rscales <- rep(0.5, 15)
add_design("ship_other",
           paste("svrepdesign(data = apiclus1_repw, repweights = \"^jk1_\", weights = ~pw,",
                 "type = \"other\", combined.weights = TRUE, scale = 1.8,",
                 "rscales = rep(0.5, 15))"),
           "apiclus1_repw.csv.gz",
           rep_py(weights = "pw", replicate_weights = "^jk1_", method = "other", scale = 1.8,
                  rscales = as.list(other_rscales)))

# the exported bootstrap weights re-read give R's own bootstrap design back
stopifnot(isTRUE(all.equal(SE(svymean(~api00, boot_rw)),
                           SE(svymean(~api00, designs$ship_boot)))))

# ---------------------------------------------------------------- estimators
wilson_ci <- function(p, se, df, level) {
  n <- p * (1 - p) / se^2
  t <- qt(1 - (1 - level) / 2, df)
  centre <- (p + t^2 / (2 * n)) / (1 + t^2 / n)
  half <- t / (1 + t^2 / n) * sqrt(p * (1 - p) / n + t^2 / (4 * n^2))
  c(centre - half, centre + half)
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

stat_rows <- function(fun, d, var, by, ci_df, level, denominator = NULL) {
  lapply(domains(d, by), function(dom) {
    dd <- dom$design
    f <- as.formula(paste0("~`", var, "`"))
    x <- suppressWarnings(switch(fun,
      mean = svymean(f, dd, na.rm = TRUE, deff = TRUE),
      total = svytotal(f, dd, na.rm = TRUE, deff = TRUE),
      ratio = svyratio(f, as.formula(paste0("~`", denominator, "`")), dd, na.rm = TRUE)))
    ok <- !is.na(dd$variables[[var]]) & weights(dd, "sampling") > 0
    if (!is.null(denominator)) ok <- ok & !is.na(dd$variables[[denominator]])
    df <- if (ci_df == "design") degf(dd) else Inf
    ci <- as.vector(confint(x, df = df, level = level))
    row <- list(by = dom$key, estimate = unname(coef(x)), se = unname(SE(x)), ci_low = ci[1],
                ci_high = ci[2], df = if (ci_df == "design") degf(dd) else NA)
    # svyratio.svyrep.design(deff = TRUE) stops with "incorrect number of dimensions" in
    # survey 4.1.1, so ratios carry no deff
    if (fun != "ratio") row$deff <- unname(deff(x))
    row$n <- sum(ok)
    row
  })
}

prop_rows <- function(d, var, by, method, ci_df, level) {
  out <- list()
  for (dom in domains(d, by)) {
    dd <- dom$design
    m <- suppressWarnings(svymean(as.formula(paste0("~`", var, "`")), dd, na.rm = TRUE,
                                  deff = TRUE))
    levs <- levels(factor(d$variables[[var]]))
    df <- if (ci_df == "design") degf(dd) else Inf
    for (i in seq_along(levs)) {
      p <- unname(coef(m)[i]); se <- unname(SE(m)[i])
      f <- as.formula(sprintf('~I(`%s` == "%s")', var, levs[i]))
      ci <- suppressWarnings(switch(method,
        logit = as.vector(attr(svyciprop(f, dd, method = "logit", level = level, df = df,
                                         na.rm = TRUE), "ci")),
        beta = as.vector(attr(svyciprop(f, dd, method = "beta", level = level, na.rm = TRUE),
                              "ci")),
        wald = as.vector(attr(svyciprop(f, dd, method = "mean", level = level, df = df,
                                        na.rm = TRUE), "ci")),
        wilson = wilson_ci(p, se, df, level)))
      out[[length(out) + 1]] <- list(by = dom$key, level = levs[i], estimate = p, se = se,
                                     ci_low = ci[1], ci_high = ci[2],
                                     df = if (ci_df == "design") degf(dd) else NA,
                                     deff = unname(deff(m)[i]),
                                     n = sum(!is.na(dd$variables[[var]]) &
                                               weights(dd, "sampling") > 0))
    }
  }
  out
}

cases <- list()
add_case <- function(id, design, method, variable, by = NULL, denominator = NULL,
                     ci_df = "design", ci_level = 0.95, ci_method = NULL, subset = NULL,
                     note = NULL) {
  d <- designs[[design]]
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
    ratio = sprintf("confint(svyratio(%s, %s, %s, na.rm = TRUE), %s%s)",
                    fml(variable), fml(denominator), dname, dfx, lvl),
    proportion = sprintf("svymean(%s, %s, na.rm = TRUE, deff = TRUE); CI: %s",
                         fml(variable), dname,
                         switch(ci_method,
                                logit = sprintf('svyciprop(~I(%s == level), %s, method = "logit", %s%s, na.rm = TRUE)', variable, dname, dfx, lvl),
                                beta = sprintf('svyciprop(~I(%s == level), %s, method = "beta"%s, na.rm = TRUE)', variable, dname, lvl),
                                wald = sprintf('svyciprop(~I(%s == level), %s, method = "mean", %s%s, na.rm = TRUE)', variable, dname, dfx, lvl),
                                wilson = sprintf("wilson_ci(p, SE(p), %s%s) (this script)", dfx, lvl))))
  if (!is.null(by)) {
    call <- paste0(sprintf("svyby(~%s, ~%s, %s, %s, ...); per domain: ", variable,
                           paste(by, collapse = " + "), dname,
                           if (method == "proportion") "svyciprop" else paste0("svy", method)),
                   gsub(dname, sprintf("%s[<domain>, ]", dname), call, fixed = TRUE))
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

# every design: mean, total, ratio, logit proportion, overall and by school type
for (dn in names(designs)) {
  add_case(paste0(dn, "_mean_api00"), dn, "mean", "api00")
  add_case(paste0(dn, "_total_enroll"), dn, "total", "enroll")
  add_case(paste0(dn, "_ratio_apistu_enroll"), dn, "ratio", "api.stu", denominator = "enroll")
  add_case(paste0(dn, "_prop_schwide_logit"), dn, "proportion", "sch.wide", ci_method = "logit")
  add_case(paste0(dn, "_mean_api00_by_stype"), dn, "mean", "api00", by = "stype")
  add_case(paste0(dn, "_prop_schwide_logit_by_stype"), dn, "proportion", "sch.wide",
           by = "stype", ci_method = "logit")
}
# other CI methods, levels, normal intervals
for (cm in c("beta", "wald", "wilson")) {
  add_case(paste0("jk1_clus1_prop_schwide_", cm), "jk1_clus1", "proportion", "sch.wide",
           ci_method = cm)
  add_case(paste0("jkn_strat_prop_awards_", cm, "_by_stype"), "jkn_strat", "proportion",
           "awards", by = "stype", ci_method = cm)
  add_case(paste0("brr_prop_schwide_", cm), "brr", "proportion", "sch.wide", ci_method = cm)
}
add_case("jk1_clus1_mean_api00_normal", "jk1_clus1", "mean", "api00", ci_df = "normal")
add_case("jkn_strat_total_enroll_level90", "jkn_strat", "total", "enroll", ci_level = 0.90)
add_case("fay_prop_schwide_logit_level90_normal", "fay", "proportion", "sch.wide",
         ci_method = "logit", ci_level = 0.90, ci_df = "normal")
# more domains: two by columns, ratio and total by domain, subsets
add_case("jk1_clus1_mean_api00_by_stype_schwide", "jk1_clus1", "mean", "api00",
         by = c("stype", "sch.wide"))
add_case("jk1_clus1_ratio_by_stype", "jk1_clus1", "ratio", "api.stu", denominator = "enroll",
         by = "stype")
add_case("jkn_stratclus_total_enroll_by_awards", "jkn_stratclus", "total", "enroll",
         by = "awards")
add_case("brr_total_enroll_by_awards", "brr", "total", "enroll", by = "awards")
add_case("jk1_clus1_mean_api00_subset_H", "jk1_clus1", "mean", "api00",
         subset = c("stype", "H"))
add_case("fay_prop_schwide_logit_subset_M", "fay", "proportion", "sch.wide",
         ci_method = "logit", subset = c("stype", "M"))
# a domain inside one PSU: the replicate that deletes it has no domain rows (NaN, dropped by
# svrVar with a warning), and the domain design has 0 degrees of freedom (NaN CI)
add_case("jk1_clus1_mean_api00_by_cname", "jk1_clus1", "mean", "api00", by = "cname",
         note = "counties holding one district: one replicate is NaN and dropped; df = 0")
# missing values (na.rm = TRUE): apistrat$api00_na has 6 missing values
add_case("jkn_strat_mean_api00na", "jkn_strat", "mean", "api00_na")
add_case("jkn_strat_mean_api00na_by_stype", "jkn_strat", "mean", "api00_na", by = "stype")
add_case("jkn_strat_ratio_api00na_api99", "jkn_strat", "ratio", "api00_na",
         denominator = "api99")
add_case("jkn_strat_prop_schwidena_logit", "jkn_strat", "proportion", "sch_wide_na",
         ci_method = "logit")

# svyby() and design[domain, ] give the same numbers (documented identity)
a <- svyby(~api00, ~stype, designs$jk1_clus1, svymean)
b <- svymean(~api00, subset(designs$jk1_clus1, stype == "H"))
stopifnot(isTRUE(all.equal(as.numeric(SE(a)[2]), as.numeric(SE(b)))))
a <- svyby(~enroll, ~awards, designs$brr, svytotal)
b <- svytotal(~enroll, subset(designs$brr, awards == "Yes"))
stopifnot(isTRUE(all.equal(as.numeric(SE(a)[2]), as.numeric(SE(b)))))

# ---------------------------------------------------------------- Hadamard matrices
# hadamard(n) as used by brrweights: dimensions and the md5 of its rows written as 0/1
# strings (one line each); the smallest ones also in full.
hadamard_n <- c(1:40, 43, 47, 50, 55, 59, 60, 63, 64, 70, 71, 79, 83, 87, 95, 99, 100, 107,
                111, 127, 130, 150, 179, 200)
hadamards <- lapply(hadamard_n, function(n) {
  H <- hadamard(n)
  rows <- apply(H, 1, paste, collapse = "")
  tmp <- tempfile()
  writeLines(rows, tmp)
  md5 <- unname(tools::md5sum(tmp))
  unlink(tmp)
  list(n = n, size = nrow(H), md5 = md5, rows = if (nrow(H) <= 12) as.list(rows) else NULL)
})

out <- list(
  generated_by = "tests/results/survey_replicate.R",
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  options = paste("survey.replicates.mse = FALSE unless mse = TRUE is given,",
                  "survey.drop.replicates = TRUE (defaults)"),
  designs = design_specs,
  cases = cases,
  hadamard = hadamards)
writeLines(to_json(out), file.path(here, "survey_replicate.json"))
cat("wrote", length(designs), "designs,", length(cases), "cases and", length(hadamards),
    "Hadamard matrices\n")
