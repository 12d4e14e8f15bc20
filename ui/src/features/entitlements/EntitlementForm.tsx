import { Button, Group, NumberInput, Radio, Select, Skeleton, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { DateInput } from "@mantine/dates";
import { zodResolver } from "@hookform/resolvers/zod";
import { useMemo, useState } from "react";
import { Controller, useForm } from "react-hook-form";

import type { Profile } from "../../bindings/profiles";
import type { Entitlement, EntitlementInput } from "../../bindings/reconcile";
import type { ReclamationRule } from "../../bindings/reclaim";
import type { SoftwareModel } from "../../bindings/sync";
import { ErrorAlert } from "../../components/ErrorAlert";
import { FormSection } from "../../components/FormSection";
import { applyFieldError } from "../../lib/formErrors";
import { useModels } from "../profiles/related/queries";
import { useReclamationRules } from "../reclaim/queries";
import {
  ENTITLEMENT_FIELDS,
  entitlementFormValues,
  entitlementInput,
  type EntitlementFormValues,
  entitlementSchema,
  MAX_RIGHTS,
  needsRate,
  reportingCurrencyOf,
} from "./entitlementForm";
import { BILLING_PERIOD_LABELS } from "./format";
import { useEntitlements } from "./queries";

interface EntitlementFormProps {
  profile: Profile;
  /** The entitlement to edit; null for a new one. */
  entitlement: Entitlement | null;
  /** A new entitlement's model (the list is filtered to it). */
  defaultModelId?: number | null;
  save: (id: number | null, input: EntitlementInput) => Promise<Entitlement>;
  onSaved: (saved: Entitlement) => void;
  onCancel: () => void;
}

/** A model as the select offers it: "Smartsheet Member (MEMBER)". */
export function modelLabel(model: Pick<SoftwareModel, "name" | "subscriptionIdentifier">): string {
  return model.subscriptionIdentifier ? `${model.name} (${model.subscriptionIdentifier})` : model.name;
}

/**
 * The currency a new entitlement of `modelId` starts in: the model's (its entitlements'), else its
 * cost per seat's, else USD.
 */
function defaultCurrency(
  modelId: number | null,
  entitlements: readonly Entitlement[],
  rules: readonly ReclamationRule[] | undefined,
): string {
  return (
    reportingCurrencyOf(modelId, entitlements, null) ??
    rules?.find((r) => r.modelId === modelId)?.currency ??
    "USD"
  );
}

/**
 * The Software Entitlement form (New and Edit): the profile's models to choose from, and what a
 * model's other entitlements say about its currency. Loads them, then shows the form.
 */
export function EntitlementForm(props: EntitlementFormProps) {
  const { profile } = props;
  const models = useModels(profile.id);
  const entitlements = useEntitlements(profile.id);
  const rules = useReclamationRules(profile.id);
  if (models.isError || entitlements.isError) {
    return (
      <ErrorAlert
        title="Could not load the software models"
        error={models.error ?? entitlements.error}
        onRetry={() => void Promise.all([models.refetch(), entitlements.refetch()])}
      />
    );
  }
  // The rules give a new entitlement its currency; without them it starts in the model's or USD.
  if (models.isPending || entitlements.isPending || (rules.isPending && props.entitlement === null)) {
    return <Skeleton h={420} data-testid="entitlement-form-loading" />;
  }
  return <LoadedForm {...props} models={models.data} entitlements={entitlements.data} rules={rules.data} />;
}

interface LoadedFormProps extends EntitlementFormProps {
  models: SoftwareModel[];
  entitlements: Entitlement[];
  rules: ReclamationRule[] | undefined;
}

function LoadedForm({
  entitlement,
  defaultModelId = null,
  models,
  entitlements,
  rules,
  save,
  onSaved,
  onCancel,
}: LoadedFormProps) {
  const [formError, setFormError] = useState<unknown>(null);
  const editingId = entitlement?.id ?? null;
  const reportingOf = (modelId: number | null) => reportingCurrencyOf(modelId, entitlements, editingId);
  const schema = useMemo(() => entitlementSchema(reportingOf), [entitlements, editingId]);
  const firstModel = defaultModelId ?? (models.length === 1 ? models[0]!.id : null);
  const {
    control,
    register,
    handleSubmit,
    setError,
    setValue,
    getFieldState,
    watch,
    formState: { errors, isSubmitting },
  } = useForm<EntitlementFormValues>({
    resolver: zodResolver(schema),
    defaultValues: entitlementFormValues(entitlement, {
      modelId: firstModel,
      currency: defaultCurrency(firstModel, entitlements, rules),
    }),
  });

  const modelId = watch("modelId");
  const currency = watch("currency");
  const reporting = reportingOf(modelId === "" ? null : Number(modelId));
  const rateAsked = needsRate(currency, reporting);
  const code = currency.trim().toUpperCase();

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      onSaved(await save(editingId, entitlementInput(values, rateAsked)));
    } catch (error) {
      // A rate the form does not show (the core judged the currency otherwise) is said above the buttons.
      const { rate: _rate, ...withoutRate } = ENTITLEMENT_FIELDS;
      if (!applyFieldError(error, setError, rateAsked ? ENTITLEMENT_FIELDS : withoutRate)) setFormError(error);
    }
  });

  const modelOptions = models.map((m) => ({ value: String(m.id), label: modelLabel(m) }));

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        <FormSection title="Entitlement">
          <Controller
            control={control}
            name="modelId"
            render={({ field }) => (
              <Select
                label="Software model"
                description="The seats this entitlement gives rights to."
                placeholder="Choose a model"
                data={modelOptions}
                value={field.value === "" ? null : field.value}
                onChange={(value) => {
                  field.onChange(value ?? "");
                  // A new entitlement follows its model's currency until the admin types one.
                  if (entitlement === null && !getFieldState("currency").isDirty) {
                    setValue("currency", defaultCurrency(value === null ? null : Number(value), entitlements, rules));
                  }
                }}
                onBlur={field.onBlur}
                ref={field.ref}
                allowDeselect={false}
                error={errors.modelId?.message}
                maw={460}
              />
            )}
          />
          <TextInput
            label="Display name"
            description="How the contract is known, e.g. “Smartsheet Business 2026”."
            data-autofocus
            error={errors.displayName?.message}
            maw={460}
            {...register("displayName")}
          />
          <Controller
            control={control}
            name="purchasedRights"
            render={({ field }) => (
              <NumberInput
                label="Purchased rights"
                description="How many seats this entitlement gives. Several entitlements of a model add up."
                min={0}
                max={MAX_RIGHTS}
                allowDecimal={false}
                allowNegative={false}
                clampBehavior="none"
                thousandSeparator=","
                value={field.value}
                onChange={(value) => field.onChange(typeof value === "number" ? value : value === "" ? "" : Number(value))}
                onBlur={field.onBlur}
                ref={field.ref}
                error={errors.purchasedRights?.message}
                maw={240}
              />
            )}
          />
        </FormSection>

        <FormSection title="Cost">
          <Group align="flex-start" gap="md">
            <TextInput
              label="Unit cost"
              description="Per seat and billing period; 0 if free."
              placeholder="e.g. 25.00"
              inputMode="decimal"
              error={errors.unitCost?.message}
              w={220}
              {...register("unitCost")}
            />
            <TextInput
              label="Currency"
              description="ISO 4217 code"
              placeholder="USD"
              maxLength={3}
              spellCheck={false}
              styles={{ input: { textTransform: "uppercase" } }}
              error={errors.currency?.message}
              w={140}
              {...register("currency")}
            />
            {rateAsked && (
              <TextInput
                label={`1 ${code} = ? ${reporting}`}
                description={`The model's other entitlements are in ${reporting}: how many ${reporting} one ${code} is worth.`}
                placeholder="e.g. 1.08"
                inputMode="decimal"
                error={errors.rate?.message}
                w={260}
                data-testid="entitlement-rate"
                {...register("rate")}
              />
            )}
          </Group>
          <Controller
            control={control}
            name="billingPeriod"
            render={({ field }) => (
              <Radio.Group
                label="Billing period"
                description="How often the unit cost is billed."
                value={field.value}
                onChange={(value) => field.onChange(value)}
                error={errors.billingPeriod?.message}
              >
                <Group gap="lg" mt="xs">
                  <Radio value="monthly" label={BILLING_PERIOD_LABELS.monthly} />
                  <Radio value="annual" label={BILLING_PERIOD_LABELS.annual} />
                </Group>
              </Radio.Group>
            )}
          />
        </FormSection>

        <FormSection title="Term">
          <Group align="flex-start" gap="md">
            {(["termStart", "termEnd"] as const).map((name) => (
              <Controller
                key={name}
                control={control}
                name={name}
                render={({ field }) => (
                  <DateInput
                    label={name === "termStart" ? "Term start" : "Term end"}
                    description={name === "termStart" ? "First day the rights are owned." : "Last day, included."}
                    placeholder="YYYY-MM-DD"
                    valueFormat="YYYY-MM-DD"
                    value={field.value === "" ? null : field.value}
                    onChange={(value) => field.onChange(value ?? "")}
                    onBlur={field.onBlur}
                    ref={field.ref}
                    error={errors[name]?.message}
                    clearable
                    clearButtonProps={{ "aria-label": `Clear ${name === "termStart" ? "Term start" : "Term end"}` }}
                    w={200}
                  />
                )}
              />
            ))}
          </Group>
          <Text size="xs" c="dimmed">
            Rights count as owned from the term start to the term end; before, the entitlement is Future, after, Expired.
          </Text>
        </FormSection>

        <Textarea
          label="Notes"
          description="Contract number, supplier, renewal terms: for the next admin."
          autosize
          minRows={2}
          error={errors.notes?.message}
          {...register("notes")}
        />

        {formError !== null && <ErrorAlert title="Could not save the entitlement" error={formError} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={isSubmitting}>
            {entitlement ? "Save" : "Create"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
