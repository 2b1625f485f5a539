# Reference numbers for tests/test_multistage.py from R's `survey` package (Lumley):
# multistage designs (svyrecvar's recursion) and PPS without replacement (pps = "brewer").
#
# Run from the repository root:   Rscript tests/results/survey_multistage.R
# Reads   tests/results/apiclus2.csv (written by survey_api.R from data(api)),
#         data(election) of survey, and the synthetic demo survey
#         data/synthetic/tashkent-chilanzar/survey.csv.gz + fieldwork.csv (hh_prob).
# Writes, next to this script:
#   apiclus2_lonely2.csv   apiclus2 keeping only the first school of district 200 (11 schools
#                          in the district, so a stage-2 "lonely PSU")
#   election_pps.csv       data(election)'s election_pps, plus kerry_won ("yes"/"no")
#   demo_multistage.csv    the demo survey (1,415 adults in 30 mahallas, 6 strata): design
#                          columns plus hh_prob (fieldwork.csv) and hh_count = 55 / hh_prob
#                          (households of the mahalla), analysis columns theft (0/1) and
#                          theft_yn ("yes"/"no", for proportions),
#                          trust_police (1-5, NA), sex, age_group, n12_theft_personal
#   demo_multistage_lonely1.csv   the same without the mahallas of stratum 6 but the first
#                          (a stage-1 lonely PSU)
#   survey_multistage.json one entry per case: the exact R call, the design, the matching
#                          Python call and the numbers (15 significant digits)
# Every CSV is read back and all numbers are computed from the data as read.
#
# PPS and row order: for pps = "brewer" R's onestrat() pairs the factors 1 - pi_i, taken in
# order of first appearance of the PSUs (scale[!duplicated(cluster)]), with the PSU totals of
# rowsum(), sorted by PSU. The two orders agree only when the rows are sorted by PSU within
# stratum; otherwise R pairs PSUs with other PSUs' probabilities. The demo file is sorted
# (checked below), so R's numbers are Brewer's approximation. sga_methods pairs each PSU with
# its own probability whatever the row order.
#
# Conventions are those of survey_api.R: CIs by confint(x, df = degf(design)); proportions by
# svymean(~factor) with svyciprop(method = "logit") CIs; domains as svyby() builds them
# (design[domain, ], whose degf() gives the domain's CI degrees of freedom). For PPS and
# calibrated designs design[domain, ] keeps every row (weight zero outside), so n is counted
# over the rows with a non-zero weight.
suppressMessages(library(survey))

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
root <- normalizePath(file.path(here, "..", ".."))

# ---------------------------------------------------------------- data: export, read back
apiclus2 <- read.csv(file.path(here, "apiclus2.csv"), stringsAsFactors = TRUE,
                     check.names = FALSE)
keep <- !(apiclus2$dnum == 200 & duplicated(apiclus2$dnum))
apiclus2_lonely2 <- apiclus2[keep, ]
stopifnot(sum(apiclus2_lonely2$dnum == 200) == 1, apiclus2_lonely2$fpc2[
  apiclus2_lonely2$dnum == 200] == 11)

data(election)
election_pps$kerry_won <- ifelse(election_pps$Kerry > election_pps$Bush, "yes", "no")

demo_dir <- file.path(root, "data", "synthetic", "tashkent-chilanzar")
s <- read.csv(gzfile(file.path(demo_dir, "survey.csv.gz")), stringsAsFactors = FALSE)
fw <- read.csv(file.path(demo_dir, "fieldwork.csv"), stringsAsFactors = FALSE)
s$hh_prob <- fw$hh_prob[match(s$hh_id, fw$hh_id)]
s$hh_count <- round(55 / s$hh_prob)
stopifnot(max(abs(s$hh_count * s$hh_prob - 55)) < 1e-9)
s$theft <- as.numeric(s$n12_theft_personal >= 1)
s$theft_yn <- ifelse(s$theft == 1, "yes", "no")
demo <- s[order(s$stratum, s$mahalla, s$hh_id),
          c("resp_id", "stratum", "mahalla", "hh_id", "psu_count_stratum", "psu_prob",
            "hh_prob", "hh_count", "weight", "sex", "age_group", "theft", "theft_yn", "trust_police",
            "n12_theft_personal")]
mahallas6 <- unique(demo$mahalla[demo$stratum == 6])
# three stages, generated: 3 strata; 4-6 PSUs per stratum drawn with probabilities pi1
# (Brewer at stage 1) or, for the SRS variant, out of N1 = 12; 2-4 SSUs per PSU out of
# N2 = 5-9; 1-3 TSUs per SSU out of N3 = 3-4 (an SSU with one TSU: lonely at stage 3)
set.seed(20251125)
three <- do.call(rbind, lapply(1:3, function(h) {
  do.call(rbind, lapply(seq_len(sample(4:6, 1)), function(i) {
    pi1 <- round(runif(1, 0.2, 0.8), 4)
    n2 <- sample(2:4, 1); N2 <- sample(5:9, 1)
    do.call(rbind, lapply(seq_len(n2), function(j) {
      n3 <- sample(c(2, 3, 3), 1); N3 <- sample(3:4, 1)
      data.frame(h = h, psu = i, ssu = j, tsu = seq_len(n3), pi1 = pi1, N1 = 12, N2 = N2,
                 N3 = N3)
    }))
  }))
}))
three$f2 <- ave(three$ssu, three$h, three$psu, FUN = function(x) length(unique(x))) / three$N2
three$f3 <- ave(three$tsu, three$h, three$psu, three$ssu, FUN = length) / three$N3
three$w <- 1 / (three$pi1 * three$f2 * three$f3)
three$y <- round(rnorm(nrow(three), 10 + three$h + rnorm(30)[three$psu], 2), 3)
three$g <- sample(c("a", "b"), nrow(three), replace = TRUE)
three <- three[order(three$h, three$psu, three$ssu, three$tsu), ]
three_lonely3 <- three[!(three$h == 1 & three$psu == 1 & three$ssu == 1 & three$tsu > 1), ]
demo_lonely1 <- demo[demo$stratum != 6 | demo$mahalla == mahallas6[1], ]

tables <- list(apiclus2_lonely2 = apiclus2_lonely2, election_pps = election_pps,
               demo_multistage = demo, demo_multistage_lonely1 = demo_lonely1,
               threestage = three, threestage_lonely3 = three_lonely3)
for (nm in names(tables)) {
  write.csv(tables[[nm]], file.path(here, paste0(nm, ".csv")), row.names = FALSE, na = "")
}
rd <- function(nm) read.csv(file.path(here, paste0(nm, ".csv")), stringsAsFactors = TRUE,
                            check.names = FALSE, na.strings = c("NA", ""))
apiclus2 <- rd("apiclus2"); apiclus2_lonely2 <- rd("apiclus2_lonely2")
election_pps <- rd("election_pps"); demo <- rd("demo_multistage")
demo_lonely1 <- rd("demo_multistage_lonely1")
three <- rd("threestage"); three_lonely3 <- rd("threestage_lonely3")
for (d in list(demo, demo_lonely1)) {
  # sorted by PSU within stratum: R's Brewer factors then belong to their own PSUs
  stopifnot(!is.unsorted(d$stratum),
            all(tapply(d$mahalla, d$stratum, function(m) !is.unsorted(m))))
}

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
add_design <- function(name, call_text, csv, python, lonely = "fail", weighting = NULL) {
  options(survey.lonely.psu = lonely)
  d <- eval(parse(text = call_text))
  designs[[name]] <<- d
  python$lonely_psu <- lonely
  design_specs[[name]] <<- list(call = call_text,
                                options = sprintf('options(survey.lonely.psu = "%s")', lonely),
                                csv = paste0(csv, ".csv"), python = python,
                                weighting = weighting, degf = degf(d))
}
py <- function(weights, psu = NULL, fpc = NULL, strata = NULL, pps = NULL) {
  list(weights = weights, strata = strata, psu = if (is.null(psu)) NULL else as.list(psu),
       fpc = if (is.null(fpc)) NULL else as.list(fpc), pps = pps)
}

# apiclus2: districts, then schools within districts, both by SRS without replacement.
# pw equals the weights svydesign derives from fpc1, fpc2 (to 6e-14 absolute).
stopifnot(max(abs(1 / svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2,
                                data = apiclus2)$prob - apiclus2$pw)) < 1e-12)
add_design("clus2", "svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, weights = ~pw, data = apiclus2)",
           "apiclus2", py("pw", c("dnum", "snum"), c("fpc1", "fpc2")))
# without fpc R uses the first stage alone, with replacement
add_design("clus2_nofpc", "svydesign(id = ~dnum + snum, weights = ~pw, data = apiclus2)",
           "apiclus2", py("pw", c("dnum", "snum")))
for (rule in c("remove", "certainty", "adjust", "average")) {
  add_design(paste0("clus2_lonely2_", rule),
             paste("svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, weights = ~pw,",
                   "data = apiclus2_lonely2)"),
             "apiclus2_lonely2", py("pw", c("dnum", "snum"), c("fpc1", "fpc2")), rule)
}
# stratified two-stage, SRS at both stages, fpc as population counts
add_design("strat2",
           paste("svydesign(ids = ~mahalla + hh_id, strata = ~stratum, weights = ~weight,",
                 "fpc = ~psu_count_stratum + hh_count, data = demo)"),
           "demo_multistage",
           py("weight", c("mahalla", "hh_id"), c("psu_count_stratum", "hh_count"), "stratum"))
for (rule in c("remove", "certainty", "adjust", "average")) {
  add_design(paste0("strat2_lonely1_", rule),
             paste("svydesign(ids = ~mahalla + hh_id, strata = ~stratum, weights = ~weight,",
                   "fpc = ~psu_count_stratum + hh_count, data = demo_lonely1)"),
             "demo_multistage_lonely1",
             py("weight", c("mahalla", "hh_id"), c("psu_count_stratum", "hh_count"), "stratum"),
             rule)
}
# Brewer's approximation: one stage (survey's documentation example), weights 1 / p
stopifnot(max(abs(1 / svydesign(id = ~1, fpc = ~p, data = election_pps,
                                pps = "brewer")$prob / election_pps$wt - 1)) < 1e-12)
add_design("pps1", "svydesign(id = ~1, fpc = ~p, data = election_pps, pps = \"brewer\")",
           "election_pps", py("wt", NULL, "p", pps = "brewer"))
# Brewer's approximation, two stages: the demo's design (PPS mahallas, SRS households)
add_design("pps2",
           paste("svydesign(ids = ~mahalla + hh_id, strata = ~stratum, weights = ~weight,",
                 "fpc = ~psu_prob + hh_prob, pps = \"brewer\", data = demo)"),
           "demo_multistage",
           py("weight", c("mahalla", "hh_id"), c("psu_prob", "hh_prob"), "stratum", "brewer"))
for (rule in c("remove", "certainty", "adjust", "average")) {
  add_design(paste0("pps2_lonely1_", rule),
             paste("svydesign(ids = ~mahalla + hh_id, strata = ~stratum, weights = ~weight,",
                   "fpc = ~psu_prob + hh_prob, pps = \"brewer\", data = demo_lonely1)"),
             "demo_multistage_lonely1",
             py("weight", c("mahalla", "hh_id"), c("psu_prob", "hh_prob"), "stratum", "brewer"),
             rule)
}
# three stages: PSUs labelled 1..n within strata (nest = TRUE); SRS, and Brewer at stage 1
add_design("three_srs",
           paste("svydesign(ids = ~psu + ssu + tsu, strata = ~h, fpc = ~N1 + N2 + N3,",
                 "weights = ~w, nest = TRUE, data = three)"),
           "threestage", c(py("w", c("psu", "ssu", "tsu"), c("N1", "N2", "N3"), "h"),
                           list(nest = TRUE)))
add_design("three_pps",
           paste("svydesign(ids = ~psu + ssu + tsu, strata = ~h, fpc = ~pi1 + f2 + f3,",
                 "weights = ~w, nest = TRUE, pps = \"brewer\", data = three)"),
           "threestage", c(py("w", c("psu", "ssu", "tsu"), c("pi1", "f2", "f3"), "h",
                              "brewer"), list(nest = TRUE)))
for (rule in c("remove", "adjust", "average")) {
  add_design(paste0("three_lonely3_", rule),
             paste("svydesign(ids = ~psu + ssu + tsu, strata = ~h, fpc = ~N1 + N2 + N3,",
                   "weights = ~w, nest = TRUE, data = three_lonely3)"),
             "threestage_lonely3",
             c(py("w", c("psu", "ssu", "tsu"), c("N1", "N2", "N3"), "h"), list(nest = TRUE)),
             rule)
}

# calibrated multistage designs: residuals before the recursion (the calls name the designs)
pps2 <- designs$pps2; clus2 <- designs$clus2
margins <- read.csv(file.path(demo_dir, "margins.csv"), stringsAsFactors = FALSE)
pop_of <- function(v) {
  m <- margins[margins$variable == v, ]
  out <- data.frame(m$level, m$population)
  names(out) <- c(v, "Freq")
  out
}
pop_sex <- pop_of("sex"); pop_age <- pop_of("age_group")
totals <- function(p) setNames(as.list(p$Freq), as.character(p[[1]]))
options(survey.lonely.psu = "fail")
add_design("pps2_rake",
           paste("rake(pps2, list(~sex, ~age_group), list(pop_sex, pop_age),",
                 "control = list(epsilon = 1e-12, maxit = 1000))"),
           "demo_multistage",
           py("weight", c("mahalla", "hh_id"), c("psu_prob", "hh_prob"), "stratum", "brewer"),
           weighting = list(method = "rake",
                            margins = list(sex = totals(pop_sex), age_group = totals(pop_age))))
pop_stype <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
add_design("clus2_ps", "postStratify(clus2, ~stype, pop_stype)", "apiclus2",
           py("pw", c("dnum", "snum"), c("fpc1", "fpc2")),
           weighting = list(method = "poststratify", columns = "stype",
                            totals = totals(pop_stype)))

# ---------------------------------------------------------------- estimators
domains <- function(d, by) {
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
counted <- function(dd, ok) sum(ok & weights(dd, "sampling") != 0)

stat_rows <- function(fun, d, var, by, denominator = NULL) {
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
    ci <- as.vector(confint(x, df = degf(dd)))
    list(by = dom$key, estimate = unname(coef(x)), se = unname(SE(x)), ci_low = ci[1],
         ci_high = ci[2], df = degf(dd), deff = unname(deff(x)), n = counted(dd, ok))
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
      ci <- as.vector(attr(svyciprop(f, dd, method = "logit", df = degf(dd), na.rm = TRUE),
                           "ci"))
      out[[length(out) + 1]] <- list(by = dom$key, level = levs[i],
                                     estimate = unname(coef(m)[i]), se = unname(SE(m)[i]),
                                     ci_low = ci[1], ci_high = ci[2], df = degf(dd),
                                     deff = unname(deff(m)[i]),
                                     n = counted(dd, !is.na(dd$variables[[var]])))
    }
  }
  out
}

cases <- list()
add_case <- function(id, design, method, variable, by = NULL, denominator = NULL,
                     subset = NULL) {
  d <- designs[[design]]
  options(survey.lonely.psu = design_specs[[design]]$python$lonely_psu)
  subset_py <- NULL
  dname <- design
  if (!is.null(subset)) {
    d <- d[!is.na(d$variables[[subset[1]]]) & d$variables[[subset[1]]] == subset[2], ]
    dname <- sprintf('subset(%s, %s == "%s")', design, subset[1], subset[2])
    subset_py <- list(column = subset[1], equals = subset[2])
  }
  call <- switch(method,
    mean = , total = sprintf("confint(svy%s(~%s, %s, na.rm = TRUE, deff = TRUE), df = degf(%s))",
                             method, variable, dname, dname),
    ratio = sprintf("confint(svyratio(~%s, ~%s, %s, na.rm = TRUE, deff = TRUE), df = degf(%s))",
                    variable, denominator, dname, dname),
    proportion = sprintf(paste('svymean(~%s, %s, na.rm = TRUE, deff = TRUE); CI:',
                               'svyciprop(~I(%s == level), %s, method = "logit",',
                               'df = degf(%s), na.rm = TRUE)'),
                         variable, dname, variable, dname, dname))
  if (!is.null(by)) {
    call <- paste0(sprintf("svyby(~%s, ~%s, %s, %s, ...); per domain: ", variable,
                           paste(by, collapse = " + "), dname,
                           if (method == "proportion") "svyciprop" else paste0("svy", method)),
                   gsub(dname, sprintf("%s[<domain>, ]", dname), call, fixed = TRUE))
  }
  rows <- if (method == "proportion") prop_rows(d, variable, by) else
    stat_rows(method, d, variable, by, denominator)
  kwargs <- list(deff = TRUE)
  if (!is.null(by)) kwargs$by <- by
  if (method == "proportion") kwargs$ci_method <- "logit"
  cases[[length(cases) + 1]] <<- list(
    id = id, design = design, call = call,
    python = list(design = design, subset = subset_py, method = method,
                  args = if (method == "ratio") list(variable, denominator) else list(variable),
                  kwargs = kwargs),
    rows = rows)
}

for (dn in c("clus2", "clus2_nofpc", "clus2_ps")) {
  add_case(paste0(dn, "_mean_api00"), dn, "mean", "api00")
  add_case(paste0(dn, "_total_enroll"), dn, "total", "enroll")
  add_case(paste0(dn, "_ratio_apistu_enroll"), dn, "ratio", "api.stu", denominator = "enroll")
  add_case(paste0(dn, "_prop_schwide"), dn, "proportion", "sch.wide")
  add_case(paste0(dn, "_mean_api00_by_stype"), dn, "mean", "api00", by = "stype")
  add_case(paste0(dn, "_mean_api00_subset_E"), dn, "mean", "api00", subset = c("stype", "E"))
}
add_case("clus2_total_enroll_by_stype", "clus2", "total", "enroll", by = "stype")
add_case("clus2_ratio_by_stype", "clus2", "ratio", "api.stu", denominator = "enroll",
         by = "stype")
add_case("clus2_prop_schwide_by_stype", "clus2", "proportion", "sch.wide", by = "stype")
add_case("clus2_prop_awards_subset_H", "clus2", "proportion", "awards",
         subset = c("stype", "H"))
for (rule in c("remove", "certainty", "adjust", "average")) {
  dn <- paste0("clus2_lonely2_", rule)
  add_case(paste0(dn, "_mean_api00"), dn, "mean", "api00")
  add_case(paste0(dn, "_total_enroll"), dn, "total", "enroll")
  add_case(paste0(dn, "_mean_api00_by_stype"), dn, "mean", "api00", by = "stype")
}
for (dn in c("strat2", "pps2", "pps2_rake")) {
  add_case(paste0(dn, "_mean_trust"), dn, "mean", "trust_police")
  add_case(paste0(dn, "_total_theft"), dn, "total", "theft")
  add_case(paste0(dn, "_ratio_theft_count"), dn, "ratio", "n12_theft_personal",
           denominator = "theft")
  add_case(paste0(dn, "_prop_theft"), dn, "proportion", "theft_yn")
  add_case(paste0(dn, "_mean_trust_by_sex"), dn, "mean", "trust_police", by = "sex")
  add_case(paste0(dn, "_prop_theft_by_sex"), dn, "proportion", "theft_yn", by = "sex")
  add_case(paste0(dn, "_mean_theft_subset_female"), dn, "mean", "theft",
           subset = c("sex", "female"))
  add_case(paste0(dn, "_mean_theft_by_stratum"), dn, "mean", "theft", by = "stratum")
}
add_case("pps2_mean_trust_by_age_sex", "pps2", "mean", "trust_police",
         by = c("age_group", "sex"))
for (rule in c("remove", "certainty", "adjust", "average")) {
  for (kind in c("strat2", "pps2")) {
    dn <- paste0(kind, "_lonely1_", rule)
    add_case(paste0(dn, "_mean_trust"), dn, "mean", "trust_police")
    add_case(paste0(dn, "_mean_theft_by_stratum"), dn, "mean", "theft", by = "stratum")
    add_case(paste0(dn, "_prop_theft_by_sex"), dn, "proportion", "theft_yn", by = "sex")
  }
}
for (dn in c("three_srs", "three_pps", paste0("three_lonely3_", c("remove", "adjust",
                                                                     "average")))) {
  add_case(paste0(dn, "_mean_y"), dn, "mean", "y")
  add_case(paste0(dn, "_total_y_by_g"), dn, "total", "y", by = "g")
}
add_case("pps1_total_bush", "pps1", "total", "Bush")
add_case("pps1_total_kerry", "pps1", "total", "Kerry")
add_case("pps1_mean_votes", "pps1", "mean", "votes")
add_case("pps1_ratio_bush_votes", "pps1", "ratio", "Bush", denominator = "votes")
add_case("pps1_prop_kerry_won", "pps1", "proportion", "kerry_won")
add_case("pps1_total_votes_by_kerry_won", "pps1", "total", "votes", by = "kerry_won")

# checks of the semantics the Python tests rely on
options(survey.lonely.psu = "fail")
# no fpc: the later stages add nothing (R uses the first stage, with replacement)
stopifnot(isTRUE(all.equal(
  SE(svymean(~api00, designs$clus2_nofpc)),
  SE(svymean(~api00, svydesign(id = ~dnum, weights = ~pw, data = apiclus2))))))
# svyby() and subset() agree on a PPS design
a <- svyby(~theft, ~sex, designs$pps2, svymean)
b <- svymean(~theft, subset(designs$pps2, sex == "male"))
stopifnot(isTRUE(all.equal(as.numeric(SE(a)[2]), as.numeric(SE(b)))))

# lonely.psu = "fail": R stops naming the stratum (stage 1) or the district (stage 2)
errors <- list()
fail_case <- function(id, call_text, csv, python) {
  options(survey.lonely.psu = "fail")
  msg <- tryCatch({eval(parse(text = call_text)); "no error"},
                  error = function(e) conditionMessage(e))
  python$lonely_psu <- "fail"
  errors[[length(errors) + 1]] <<- list(id = id, call = call_text, csv = csv,
                                        python = python, error = msg)
}
fail_case("clus2_lonely2_fail",
          paste("svymean(~api00, svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2,",
                "weights = ~pw, data = apiclus2_lonely2))"),
          "apiclus2_lonely2.csv", py("pw", c("dnum", "snum"), c("fpc1", "fpc2")))
fail_case("pps2_lonely1_fail",
          paste("svymean(~trust_police, svydesign(ids = ~mahalla + hh_id, strata = ~stratum,",
                "weights = ~weight, fpc = ~psu_prob + hh_prob, pps = \"brewer\",",
                "data = demo_lonely1), na.rm = TRUE)"),
          "demo_multistage_lonely1.csv",
          py("weight", c("mahalla", "hh_id"), c("psu_prob", "hh_prob"), "stratum", "brewer"))

out <- list(
  generated_by = "tests/results/survey_multistage.R",
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  designs = design_specs,
  cases = cases,
  errors = errors)
writeLines(to_json(out), file.path(here, "survey_multistage.json"))
cat(length(cases), "cases,", length(errors), "error cases written to survey_multistage.json\n")
