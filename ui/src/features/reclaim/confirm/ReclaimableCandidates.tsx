import { useState } from "react";

import type { Profile } from "../../../bindings/profiles";
import { CandidateReview, type CandidateReviewProps } from "../candidates/CandidateReview";
import { ReclaimDialog, type ReclaimRequest } from "./ReclaimDialog";

/**
 * Removal Candidates with Reclaim: the review, and the confirmation and run of reclaiming the
 * selection. The screen across profiles and the profile's related list both use it.
 */
export function ReclaimableCandidates({
  profile,
  initialFilter,
}: {
  profile?: Profile;
  initialFilter?: CandidateReviewProps["initialFilter"];
}) {
  const [request, setRequest] = useState<(ReclaimRequest & { key: number }) | null>(null);
  return (
    <>
      <CandidateReview
        profile={profile}
        initialFilter={initialFilter}
        onReclaim={(ids, selection) => setRequest({ ids, ...selection, key: Date.now() })}
      />
      <ReclaimDialog key={request?.key} request={request} onClose={() => setRequest(null)} />
    </>
  );
}
