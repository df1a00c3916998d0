import { PageHeader } from '../components/page-header';

export function AutomationPage() {
  return <PageHeader title="automation" description="not built yet" />;
}
