# Reference numbers for sga_methods.trends.fit_counts / interrupted_time_series, from R's glm,
# MASS::glm.nb, sandwich::NeweyWest and AER::dispersiontest.
#
# Data: (1) a generated monthly series of police-recorded crimes (set.seed(20251201)), written
# to tests/results/trends_glm.csv and read back, so every number below comes from the file as
# written; (2) the Sicily acute coronary events data of Lopez Bernal, Cummins & Gasparrini
# (IJE 2017), tests/data/sicily.csv. Run from the repository root:
#   Rscript tests/results/trends_glm.R
# Writes tests/results/trends_glm.json. Each case records the R call that produced it.
#
# Harmonics are written by hand as tsModel::harmonic(x, nfreq, period) computes them:
# sin(2 pi k x / period), cos(2 pi k x / period) for k = 1..nfreq, named sin1, cos1, sin2, cos2.
suppressPackageStartupMessages({library(MASS); library(jsonlite); library(sandwich)
  library(lmtest); library(AER)})

harmonics <- function(d, x, nfreq, period) {
  for (k in seq_len(nfreq)) {
    d[[paste0("sin", k)]] <- sin(2 * pi * k * d[[x]] / period)
    d[[paste0("cos", k)]] <- cos(2 * pi * k * d[[x]] / period)
  }
  d
}

# --- the generated series: 96 months, growing population, trend, season, a step at t = 61 ---
set.seed(20251201)
n <- 96
gen <- data.frame(t = 1:n)
gen$year <- 2015 + (gen$t - 1) %/% 12
gen$month <- (gen$t - 1) %% 12 + 1
gen$pop <- round(250000 * exp(0.012 * gen$t / 12) * exp(rnorm(n, 0, 0.003)))
gen$intervention <- as.integer(gen$t >= 61)
eta <- log(gen$pop) + log(600 / 1e5 / 12) + 0.004 * gen$t + 0.20 * sin(2 * pi * gen$month / 12) -
  0.10 * cos(2 * pi * gen$month / 12) + 0.05 * sin(4 * pi * gen$month / 12) + log(0.85) * gen$intervention
gen$crimes <- rnbinom(n, mu = exp(eta), size = 40)
write.csv(gen, "tests/results/trends_glm.csv", row.names = FALSE, quote = FALSE)

d <- harmonics(read.csv("tests/results/trends_glm.csv"), "month", 2, 12)
new <- data.frame(t = 97:108, month = 1:12, pop = round(250000 * exp(0.012 * (97:108) / 12)),
                  intervention = 1L)
new <- harmonics(new, "month", 2, 12)

sic <- harmonics(read.csv("tests/data/sicily.csv"), "month", 2, 12)
sic$slope <- (sic$time - 37) * sic$smokban  # time since the ban (0 at its first month, 2005-01)

ctrl <- glm.control(epsilon = 1e-12, maxit = 100)
cases <- list()

# z or t: summary.glm uses t with df.residual when the dispersion is estimated (quasi families)
# and z otherwise; coeftest on a glm with a HAC matrix uses z.
coefs <- function(est, se, dist, df) {
  stat <- est / se
  p <- if (dist == "t") 2 * pt(-abs(stat), df) else 2 * pnorm(-abs(stat))
  q <- if (dist == "t") qt(0.975, df) else qnorm(0.975)
  lapply(setNames(seq_along(est), names(est)), function(i)
    list(estimate = unname(est[i]), se = unname(se[i]), statistic = unname(stat[i]),
         p_value = unname(p[i]), ci_low = unname(est[i] - q * se[i]), ci_high = unname(est[i] + q * se[i])))
}

add <- function(name, call, python, fit, dist, vc = vcov(fit), newdata = NULL, extra = list(),
                check = TRUE) {
  est <- coef(fit); se <- sqrt(diag(vc))
  s <- summary(fit)
  if (check) {  # our z/t choice must reproduce summary()'s own p-values
    stopifnot(isTRUE(all.equal(unname(s$coefficients[, 4]), unname(coefs(est, se, dist, fit$df.residual) |>
      sapply(function(x) x$p_value)), tolerance = 1e-12)))
  }
  case <- list(name = name, call = call, python = python, distribution = dist,
               df_residual = fit$df.residual, n = length(fit$y),
               coefficients = coefs(est, se, dist, fit$df.residual),
               dispersion = sum(residuals(fit, type = "pearson")^2) / fit$df.residual,
               summary_dispersion = s$dispersion, fitted = unname(fitted(fit)))
  if (!is.null(newdata)) {
    p <- predict(fit, newdata = newdata, type = "link", se.fit = TRUE)
    q <- if (dist == "t") qt(0.975, fit$df.residual) else qnorm(0.975)
    case$predict <- list(call = "predict(fit, newdata = new, type = 'link', se.fit = TRUE); exp(fit +/- q se)",
                         newdata = newdata, mean = unname(exp(p$fit)),
                         ci_low = unname(exp(p$fit - q * p$se.fit)), ci_high = unname(exp(p$fit + q * p$se.fit)))
  }
  cases[[length(cases) + 1]] <<- c(case, extra)
}
disp_test <- function(fit) {
  dt <- dispersiontest(fit, trafo = 2)
  list(call = "AER::dispersiontest(fit, trafo = 2)", statistic = unname(dt$statistic),
       p_value = dt$p.value, alpha = unname(dt$estimate))
}

form <- crimes ~ t + intervention + sin1 + cos1 + sin2 + cos2 + offset(log(pop))
py <- "fit_counts(d, count='crimes', time='t', exposure='pop', covariates=['intervention'], season='month', harmonics=2, period=12, family='%s'%s)"

fit <- glm(form, family = poisson, data = d, control = ctrl)
add("poisson", "glm(crimes ~ t + intervention + sin1 + cos1 + sin2 + cos2 + offset(log(pop)), family = poisson, data = d, control = glm.control(epsilon = 1e-12, maxit = 100))",
    sprintf(py, "poisson", ""), fit, "z", newdata = new, extra = list(overdispersion_test = disp_test(fit)))
pois <- fit

fit <- glm(form, family = quasipoisson, data = d, control = ctrl)
add("quasipoisson", "glm(crimes ~ t + intervention + sin1 + cos1 + sin2 + cos2 + offset(log(pop)), family = quasipoisson, data = d, control = glm.control(epsilon = 1e-12, maxit = 100))",
    sprintf(py, "quasipoisson", ""), fit, "t", newdata = new)

fit <- glm.nb(crimes ~ t + intervention + sin1 + cos1 + sin2 + cos2 + offset(log(pop)), data = d, control = ctrl)
add("negbin", "MASS::glm.nb(crimes ~ t + intervention + sin1 + cos1 + sin2 + cos2 + offset(log(pop)), data = d, control = glm.control(epsilon = 1e-12, maxit = 100))",
    sprintf(py, "negbin", ""), fit, "z", newdata = new,
    extra = list(theta = fit$theta, theta_se = fit$SE.theta, twologlik = fit$twologlik))

fit <- glm(crimes ~ t + intervention + factor(month) + offset(log(pop)), family = poisson, data = d, control = ctrl)
add("poisson month dummies", "glm(crimes ~ t + intervention + factor(month) + offset(log(pop)), family = poisson, data = d, control = glm.control(epsilon = 1e-12, maxit = 100))",
    "fit_counts(d, count='crimes', time='t', exposure='pop', covariates=['intervention'], season='month', harmonics=0, family='poisson')",
    fit, "z")

fit <- glm(crimes ~ t + intervention + offset(log(pop)), family = poisson, data = d, control = ctrl)
add("poisson no season", "glm(crimes ~ t + intervention + offset(log(pop)), family = poisson, data = d, control = glm.control(epsilon = 1e-12, maxit = 100))",
    "fit_counts(d, count='crimes', time='t', exposure='pop', covariates=['intervention'], family='poisson')",
    fit, "z", extra = list(overdispersion_test = disp_test(fit)))

# Newey-West: Bartlett weights 1 - l / (lag + 1), no prewhitening, no small-sample adjustment;
# coeftest(fit, vcov. = V) on a glm uses z.
for (spec in list(list("poisson", pois), list("negbin", glm.nb(form, data = d, control = ctrl)))) {
  V <- NeweyWest(spec[[2]], lag = 3, prewhite = FALSE, adjust = FALSE)
  stopifnot(isTRUE(all.equal(coeftest(spec[[2]], vcov. = V)[, 4], 2 * pnorm(-abs(coef(spec[[2]]) / sqrt(diag(V)))))))
  add(sprintf("%s hac 3", spec[[1]]),
      sprintf("V <- sandwich::NeweyWest(fit_%s, lag = 3, prewhite = FALSE, adjust = FALSE); lmtest::coeftest(fit_%s, vcov. = V)", spec[[1]], spec[[1]]),
      sprintf(py, spec[[1]], ", hac_lags=3"), spec[[2]], "z", vc = V, extra = list(hac_lags = 3), check = FALSE)
}

# segmented regression with a level and a slope change at t = 61 (time since start, 0 at t = 61)
d$level_change <- as.integer(d$t >= 61); d$slope_change <- (d$t - 61) * d$level_change
fit <- glm(crimes ~ t + level_change + slope_change + sin1 + cos1 + sin2 + cos2 + offset(log(pop)),
           family = quasipoisson, data = d, control = ctrl)
add("its quasipoisson slope", "glm(crimes ~ t + level_change + slope_change + sin1 + cos1 + sin2 + cos2 + offset(log(pop)), family = quasipoisson, data = d, control = glm.control(epsilon = 1e-12, maxit = 100))  # level_change = t >= 61, slope_change = (t - 61) level_change",
    "interrupted_time_series(d, count='crimes', time='t', start=61, exposure='pop', season='month', harmonics=2, period=12, family='quasipoisson')",
    fit, "t")

# --- Sicily (Lopez Bernal et al. 2017): their models, harmonic(month, 2, 12) written by hand ---
fit <- glm(aces ~ offset(log(stdpop)) + smokban + time, family = poisson, data = sic, control = ctrl)
add("sicily poisson", "glm(aces ~ offset(log(stdpop)) + smokban + time, family = poisson, data = sicily, control = glm.control(epsilon = 1e-12, maxit = 100))",
    "fit_counts(sicily, count='aces', time='time', exposure='stdpop', covariates=['smokban'], family='poisson')",
    fit, "z", extra = list(overdispersion_test = disp_test(fit)))

fit <- glm(aces ~ offset(log(stdpop)) + smokban + time + sin1 + cos1 + sin2 + cos2, family = quasipoisson,
           data = sic, control = ctrl)
add("sicily quasipoisson harmonics", "glm(aces ~ offset(log(stdpop)) + smokban + time + harmonic(month, 2, 12), family = quasipoisson, data = sicily, control = glm.control(epsilon = 1e-12, maxit = 100))",
    "fit_counts(sicily, count='aces', time='time', exposure='stdpop', covariates=['smokban'], season='month', harmonics=2, period=12, family='quasipoisson')",
    fit, "t")
# the same model with normal-quantile intervals and z p-values (confint.default, as published)
add("sicily quasipoisson harmonics normal", "glm(aces ~ offset(log(stdpop)) + smokban + time + harmonic(month, 2, 12), family = quasipoisson, data = sicily); exp(confint.default(fit))",
    "fit_counts(sicily, count='aces', time='time', exposure='stdpop', covariates=['smokban'], season='month', harmonics=2, period=12, family='quasipoisson', distribution='normal')",
    fit, "z", check = FALSE)
stopifnot(isTRUE(all.equal(unname(confint.default(fit)[, 1]),
  unname(sapply(cases[[length(cases)]]$coefficients, function(x) x$ci_low)), tolerance = 1e-12)))

fit <- glm(aces ~ offset(log(stdpop)) + smokban + time + slope + sin1 + cos1 + sin2 + cos2, family = quasipoisson,
           data = sic, control = ctrl)
add("sicily its quasipoisson slope", "glm(aces ~ offset(log(stdpop)) + smokban + time + slope + harmonic(month, 2, 12), family = quasipoisson, data = sicily, control = glm.control(epsilon = 1e-12, maxit = 100))  # slope = (time - 37) smokban",
    "interrupted_time_series(sicily, count='aces', time='time', start=37, exposure='stdpop', season='month', harmonics=2, period=12, family='quasipoisson')",
    fit, "t")

writeLines(toJSON(list(source = "tests/results/trends_glm.R", r_version = R.version.string,
  MASS_version = as.character(packageVersion("MASS")),
  sandwich_version = as.character(packageVersion("sandwich")),
  AER_version = as.character(packageVersion("AER")),
  cases = cases), auto_unbox = TRUE, digits = 15, pretty = TRUE, na = "null"),
  "tests/results/trends_glm.json")
