package dev.arrakis.runs;

import java.time.Instant;

/**
 * Which runs to list. Immutable; {@link #all()} matches every run and each {@code with...} narrows it.
 *
 * @param experiment an experiment's name ({@code HeadAblation}) or one of its runs ({@code HeadAblation.eachHead}),
 *     or null for all
 * @param version only this version of the experiment, or null
 * @param since only runs started at or after this, or null
 * @param until only runs started before this, or null
 * @param status only runs that ended so, or null
 */
public record RunQuery(String experiment, Integer version, Instant since, Instant until, RunStatus status) {

    public static RunQuery all() {
        return new RunQuery(null, null, null, null, null);
    }

    public RunQuery withExperiment(String experimentOrRun) {
        return new RunQuery(experimentOrRun, version, since, until, status);
    }

    public RunQuery withVersion(int onlyVersion) {
        if (onlyVersion < 1) {
            throw new IllegalArgumentException("versions start at 1, got " + onlyVersion);
        }
        return new RunQuery(experiment, onlyVersion, since, until, status);
    }

    public RunQuery withSince(Instant from) {
        return new RunQuery(experiment, version, from, until, status);
    }

    public RunQuery withUntil(Instant before) {
        return new RunQuery(experiment, version, since, before, status);
    }

    public RunQuery withStatus(RunStatus endedSo) {
        return new RunQuery(experiment, version, since, until, endedSo);
    }

    boolean matches(StoredRun run) {
        if (experiment != null && !experiment.equals(run.experiment())
                && !experiment.equals(run.experiment() + "." + run.run())) {
            return false;
        }
        if (version != null && version != run.version()) {
            return false;
        }
        if (since != null && run.startedAt().isBefore(since)) {
            return false;
        }
        if (until != null && !run.startedAt().isBefore(until)) {
            return false;
        }
        return status == null || status == run.status();
    }
}
